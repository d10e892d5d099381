// Secret and noise distributions as SEAL uses them, drawn from any UniformRandom source. Outputs
// are RNS polynomials (moduli.size() blocks of n words) in coefficient form.
#pragma once

#include <cstddef>
#include <cstdint>

#include <vector>

#include "util/modulus.h"
#include "util/prng/prng.h"

namespace veil::he::util {

// Uniform over {-1, 0, 1}.
void sample_poly_ternary(UniformRandom& rng, std::size_t n, const std::vector<Modulus>& moduli, uint64_t* dest);

// Centered binomial noise with 21 coin pairs per coefficient (standard deviation ~3.2, SEAL's default).
void sample_poly_cbd(UniformRandom& rng, std::size_t n, const std::vector<Modulus>& moduli, uint64_t* dest);

}  // namespace veil::he::util
