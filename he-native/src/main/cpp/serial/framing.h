// SEAL 4.1 framing: a 16-byte header (magic 0xA15E, header size 16, version 4.1, compression mode, two
// reserved bytes, total size u64 including the header) followed by the members, compressed as a whole
// with zlib (deflate stream) or zstd (one frame) when the mode says so.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "serial/byte_io.h"

namespace veil::he::serial {

// SEAL's compr_mode_type byte values.
enum class ComprMode : std::uint8_t { none = 0, zlib = 1, zstd = 2 };

constexpr std::uint16_t kSealMagic = 0xA15E;
constexpr std::uint8_t kSealHeaderSize = 0x10;
constexpr std::uint8_t kSealVersionMajor = 4;
constexpr std::uint8_t kSealVersionMinor = 1; // what we write and the only version we load, as SEAL 4.1

// Calls read_members on a reader over the frame's members (decompressed when needed), requires it to consume
// them exactly, and advances `in` past the whole frame. max_members_bytes bounds the decompressed size;
// exceeding it is an error before more memory is taken.
void read_frame(ByteReader &in, std::size_t max_members_bytes, const std::function<void(ByteReader &)> &read_members);

// Appends one frame whose members are produced by write_members, compressed with mode. members_hint, when
// known, is the members' size: the buffers are then sized once.
void write_frame(ByteWriter &out, ComprMode mode, const std::function<void(ByteWriter &)> &write_members,
                 std::size_t members_hint = 0);

// Decompression with a hard bound on the output, exposed for tests (bombs) and the fuzz targets.
std::vector<std::uint8_t> decompress(ComprMode mode, const std::uint8_t *data, std::size_t size,
                                     std::size_t max_output);
std::vector<std::uint8_t> compress(ComprMode mode, const std::uint8_t *data, std::size_t size);

} // namespace veil::he::serial
