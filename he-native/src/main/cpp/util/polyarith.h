// Coefficient-wise arithmetic on one RNS component (n words mod q). Inputs and outputs are in
// [0, q) unless stated. Products use the AVX-512 IFMA kernels for q < 2^50 when available.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "util/modulus.h"

namespace veil::he::util {

void add_poly(const uint64_t* a, const uint64_t* b, uint64_t* out, std::size_t n, uint64_t q);
void sub_poly(const uint64_t* a, const uint64_t* b, uint64_t* out, std::size_t n, uint64_t q);
void negate_poly(const uint64_t* a, uint64_t* out, std::size_t n, uint64_t q);
// out = a * b (coefficient-wise).
void multiply_poly(const uint64_t* a, const uint64_t* b, uint64_t* out, std::size_t n, const Modulus& q);
// out = a * w for a constant w < q.
void multiply_poly_scalar(const uint64_t* a, const MulOperand& w, uint64_t* out, std::size_t n, uint64_t q);
// out = a mod q for arbitrary 64-bit input words.
void reduce_poly(const uint64_t* a, uint64_t* out, std::size_t n, const Modulus& q);

// Accumulates up to 64 coefficient-wise products a_j * b_j (a_j, b_j in [0, q)) without reducing
// in between, then reduces once. One instance per thread; the buffers are reused across rounds.
class MulAccumulator {
public:
    explicit MulAccumulator(std::size_t n) : n_(n), lo_(n), hi_(n) {}
    void reset();
    void add(const uint64_t* a, const uint64_t* b, const Modulus& q);
    // Same with a read through a permutation: a[perm[i]] * b[i].
    void add_permuted(const uint64_t* a, const uint32_t* perm, const uint64_t* b, const Modulus& q);
    void finish(uint64_t* out, const Modulus& q) const;

private:
    std::size_t n_;
    std::vector<uint64_t> lo_, hi_;  // 128-bit sums (scalar) or 52-bit split sums (IFMA)
    bool ifma_ = false;
    std::size_t terms_ = 0;
};

}  // namespace veil::he::util
