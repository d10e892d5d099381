#include "util/hash/shake256.h"

#include <array>
#include <cstring>

namespace veil::he::hash {
namespace {

constexpr std::size_t kRate = 136;

constexpr std::uint64_t kRoundConstants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL};

// Rotation offsets and lane order of the combined rho+pi step, walking the pi permutation from lane 1.
constexpr int kRho[24] = {1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44};
constexpr int kPi[24] = {10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1};

inline std::uint64_t rotl(std::uint64_t x, int n) { return (x << n) | (x >> (64 - n)); }

void keccak_f1600(std::array<std::uint64_t, 25> &a) {
    for (std::uint64_t rc : kRoundConstants) {
        std::uint64_t c[5];
        for (int x = 0; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        for (int x = 0; x < 5; ++x) {
            std::uint64_t d = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1);
            for (int y = 0; y < 25; y += 5) a[y + x] ^= d;
        }
        std::uint64_t carry = a[1];
        for (int i = 0; i < 24; ++i) {
            std::uint64_t next = a[kPi[i]];
            a[kPi[i]] = rotl(carry, kRho[i]);
            carry = next;
        }
        for (int y = 0; y < 25; y += 5) {
            std::uint64_t row[5];
            for (int x = 0; x < 5; ++x) row[x] = a[y + x];
            for (int x = 0; x < 5; ++x) a[y + x] = row[x] ^ (~row[(x + 1) % 5] & row[(x + 2) % 5]);
        }
        a[0] ^= rc;
    }
}

// Lanes are little-endian; byte i of the state lives in lane i/8 at bit 8*(i%8).
inline void xor_byte(std::array<std::uint64_t, 25> &a, std::size_t i, std::uint8_t b) {
    a[i / 8] ^= std::uint64_t(b) << (8 * (i % 8));
}

} // namespace

void shake256(std::uint8_t *out, std::size_t out_len, const std::uint8_t *in, std::size_t in_len) {
    std::array<std::uint64_t, 25> a{};
    while (in_len >= kRate) {
        for (std::size_t i = 0; i < kRate; ++i) xor_byte(a, i, in[i]);
        keccak_f1600(a);
        in += kRate;
        in_len -= kRate;
    }
    for (std::size_t i = 0; i < in_len; ++i) xor_byte(a, i, in[i]);
    xor_byte(a, in_len, 0x1F);
    xor_byte(a, kRate - 1, 0x80);
    while (out_len > 0) {
        keccak_f1600(a);
        std::size_t n = out_len < kRate ? out_len : kRate;
        for (std::size_t i = 0; i < n; ++i) out[i] = std::uint8_t(a[i / 8] >> (8 * (i % 8)));
        out += n;
        out_len -= n;
    }
    volatile std::uint64_t *p = a.data();
    for (std::size_t i = 0; i < a.size(); ++i) p[i] = 0;
}

} // namespace veil::he::hash
