// Galois automorphisms X -> X^g of Z[X]/(X^N + 1) as SEAL numbers them: rotation of the CKKS slots
// by `step` is g = 3^step mod 2N (negative steps use 3^(N/2 - |step|)); conjugation is g = 2N - 1.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace veil::he::util {

// Throws Error when |step| >= N/2. Step 0 gives the conjugation element 2N - 1, as SEAL.
uint64_t galois_elt_from_step(int step, std::size_t n);

// For data in NTT form (SEAL's bit-reversed order): applying g maps out[i] = in[perm[i]].
std::vector<uint32_t> galois_permutation_ntt(uint64_t galois_elt, int log_n);

// Non-adjacent form of value: signed powers of two summing to value, fewest non-zero terms.
std::vector<int> naf(int value);

}  // namespace veil::he::util
