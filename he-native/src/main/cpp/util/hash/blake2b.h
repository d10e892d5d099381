// BLAKE2b (RFC 7693) and the BLAKE2Xb extendable-output construction, as used by SEAL for parms_id
// hashing and for its default seeded PRNG.
#pragma once

#include <cstddef>
#include <cstdint>

namespace veil::he::hash {

constexpr std::size_t kBlake2bBlockBytes = 128;
constexpr std::size_t kBlake2bMaxDigestBytes = 64;
constexpr std::size_t kBlake2bMaxKeyBytes = 64;

// Plain (optionally keyed) BLAKE2b with a digest of 1..64 bytes.
void blake2b(std::uint8_t *out, std::size_t out_len, const void *in, std::size_t in_len, const void *key = nullptr,
             std::size_t key_len = 0);

// BLAKE2Xb: a keyed root hash whose parameter block records out_len, expanded by hashing the root once per
// 64-byte output block with the block index as node offset. out_len is 1..2^32-2 bytes.
void blake2xb(std::uint8_t *out, std::size_t out_len, const void *in, std::size_t in_len, const void *key,
              std::size_t key_len);

} // namespace veil::he::hash
