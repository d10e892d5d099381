// SHAKE256 (FIPS 202): Keccak-f[1600] sponge, rate 136 bytes, domain suffix 0x1F.
#pragma once

#include <cstddef>
#include <cstdint>

namespace veil::he::hash {

void shake256(std::uint8_t *out, std::size_t out_len, const std::uint8_t *in, std::size_t in_len);

} // namespace veil::he::hash
