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
// out0 = a0 * b and out1 = a1 * b in one pass over b (both polynomials of a ciphertext times a plaintext).
void multiply_poly2(const uint64_t* a0, const uint64_t* a1, const uint64_t* b, uint64_t* out0, uint64_t* out1,
                    std::size_t n, const Modulus& q);
// out = a * w for a constant w < q.
void multiply_poly_scalar(const uint64_t* a, const MulOperand& w, uint64_t* out, std::size_t n, uint64_t q);
// out = a mod q for arbitrary 64-bit input words.
void reduce_poly(const uint64_t* a, uint64_t* out, std::size_t n, const Modulus& q);

// out = a mod q in [0, q) for signed words |a| < 2^63.
void reduce_signed_poly(const int64_t* a, uint64_t* out, std::size_t n, const Modulus& q);
// out = (a mod q - sub) mod q for arbitrary 64-bit words a and sub < q.
void reduce_sub_poly(const uint64_t* a, uint64_t sub, uint64_t* out, std::size_t n, const Modulus& q);
// out = (a + c) mod q for a in [0, q) and a constant c < q.
void add_scalar_poly(const uint64_t* a, uint64_t c, uint64_t* out, std::size_t n, uint64_t q);
// out = (a - b) * w mod q for a, b in [0, q): the last step of a rescale or key switch.
void sub_multiply_scalar_poly(const uint64_t* a, const uint64_t* b, const MulOperand& w, uint64_t* out,
                              std::size_t n, uint64_t q);
// The tensor product of two size-2 ciphertext components: c0 = a0 b0, c1 = a0 b1 + a1 b0, c2 = a1 b1.
// c0/c1 may be a0/a1 (each coefficient is read before it is written). stream_c2 writes c2 around the cache
// (AVX-512 path, 64-byte aligned c2).
void tensor_poly(const uint64_t* a0, const uint64_t* a1, const uint64_t* b0, const uint64_t* b1, uint64_t* c0,
                 uint64_t* c1, uint64_t* c2, std::size_t n, const Modulus& q,
                 bool stream_c2 = false);
// The inner products of a key switch over `terms` (<= 64) digits, summed in registers before one
// reduction: out0[x] = sum_j a[j][perm[x]] * b0[j][x] mod q, out1 likewise with b1 (perm may be null).
void dot_product2_poly(const uint64_t* const* a, const uint32_t* perm, const uint64_t* const* b0,
                       const uint64_t* const* b1, std::size_t terms, uint64_t* out0, uint64_t* out1, std::size_t n,
                       const Modulus& q);

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
