// Number theory for parameter set-up: primality, SEAL's prime selection, roots of unity.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace veil::he::util {

// Deterministic Miller-Rabin for all 64-bit values.
bool is_prime(uint64_t value);

// The primes SEAL's CoeffModulus::Create(n, bit_sizes) returns: for each bit size, primes
// p = 1 mod 2n are searched downward from 2^bits; equal sizes take them smallest-first.
// Throws Error on invalid sizes or when not enough primes exist.
std::vector<uint64_t> create_coeff_modulus(std::size_t poly_modulus_degree, const std::vector<int>& bit_sizes);

// The smallest primitive `degree`-th root of unity mod prime q (degree a power of two >= 2);
// returns false when none exists.
bool minimal_primitive_root(uint64_t degree, uint64_t q, uint64_t& root);

inline uint64_t reverse_bits(uint64_t x, int bits) {
    if (bits == 0) return 0;
    x = ((x >> 1) & 0x5555555555555555ULL) | ((x & 0x5555555555555555ULL) << 1);
    x = ((x >> 2) & 0x3333333333333333ULL) | ((x & 0x3333333333333333ULL) << 2);
    x = ((x >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((x & 0x0F0F0F0F0F0F0F0FULL) << 4);
    return __builtin_bswap64(x) >> (64 - bits);
}

inline int log2_exact(uint64_t x) {
    if (x == 0 || (x & (x - 1))) return -1;
    return __builtin_ctzll(x);
}

}  // namespace veil::he::util
