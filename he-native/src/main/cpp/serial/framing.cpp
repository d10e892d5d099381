#include "serial/framing.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <string>

#include <zlib.h>
#include <zstd.h>

namespace veil::he::serial {
namespace {

constexpr std::size_t kMinChunk = 64 * 1024;
// Largest zstd window we accept: SEAL's default level uses 2 MiB; a larger request is a memory attack.
constexpr int kZstdWindowLogMax = 23;

// Grows out so that at least one more byte fits, never beyond limit + 1 (one byte past the limit is
// enough to detect that the data exceeds it).
void grow(std::vector<std::uint8_t> &out, std::size_t used, std::size_t max_output) {
    std::size_t cap_limit = max_output + 1;
    std::size_t want = std::min(cap_limit, std::max(kMinChunk, used * 2));
    out.resize(want);
}

[[noreturn]] void too_large(std::size_t max_output) {
    throw Error("decompressed data exceeds the limit of " + std::to_string(max_output) + " bytes");
}

std::vector<std::uint8_t> inflate_zlib(const std::uint8_t *data, std::size_t size, std::size_t max_output) {
    z_stream zs{};
    if (inflateInit(&zs) != Z_OK) throw Error("zlib: cannot initialise the decompressor");
    std::vector<std::uint8_t> out;
    std::size_t used = 0;
    int rc = Z_OK;
    try {
        while (rc != Z_STREAM_END) {
            if (zs.avail_in == 0) {
                std::size_t chunk = std::min<std::size_t>(size, std::numeric_limits<uInt>::max());
                zs.next_in = const_cast<Bytef *>(data);
                zs.avail_in = uInt(chunk);
                data += chunk;
                size -= chunk;
            }
            if (used == out.size()) {
                if (used > max_output) too_large(max_output);
                grow(out, used, max_output);
            }
            std::size_t space = std::min<std::size_t>(out.size() - used, std::numeric_limits<uInt>::max());
            zs.next_out = out.data() + used;
            zs.avail_out = uInt(space);
            rc = inflate(&zs, Z_NO_FLUSH);
            used += space - zs.avail_out;
            if (used > max_output) too_large(max_output);
            if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR) throw Error("zlib: corrupt compressed data");
            if (rc == Z_MEM_ERROR) throw Error("zlib: out of memory");
            if (rc == Z_BUF_ERROR && zs.avail_in == 0 && size == 0)
                throw Error("zlib: compressed data ends before the end of the stream");
        }
        if (zs.avail_in != 0 || size != 0) throw Error("zlib: unexpected bytes after the compressed stream");
    } catch (...) {
        inflateEnd(&zs);
        throw;
    }
    inflateEnd(&zs);
    out.resize(used);
    return out;
}

std::vector<std::uint8_t> inflate_zstd(const std::uint8_t *data, std::size_t size, std::size_t max_output) {
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    if (dctx == nullptr) throw Error("zstd: cannot initialise the decompressor");
    std::vector<std::uint8_t> out;
    // SEAL's frames record their content size: size the output once instead of growing (and copying) it.
    unsigned long long declared = ZSTD_getFrameContentSize(data, size);
    if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != ZSTD_CONTENTSIZE_ERROR && declared <= max_output)
        out.resize(std::size_t(declared));
    std::size_t used = 0;
    try {
        if (ZSTD_isError(ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, kZstdWindowLogMax)))
            throw Error("zstd: cannot bound the window size");
        ZSTD_inBuffer in{data, size, 0};
        std::size_t pending = 1;
        while (pending != 0) {
            if (used == out.size()) {
                if (used > max_output) too_large(max_output);
                grow(out, used, max_output);
            }
            ZSTD_outBuffer ob{out.data(), out.size(), used};
            std::size_t before_in = in.pos;
            pending = ZSTD_decompressStream(dctx, &ob, &in);
            if (ZSTD_isError(pending))
                throw Error(std::string("zstd: corrupt compressed data (") + ZSTD_getErrorName(pending) + ")");
            bool progressed = ob.pos != used || in.pos != before_in;
            used = ob.pos;
            if (used > max_output) too_large(max_output);
            if (pending != 0 && !progressed && used < out.size())
                throw Error("zstd: compressed data ends before the end of the frame");
        }
        if (in.pos != in.size) throw Error("zstd: unexpected bytes after the compressed frame");
    } catch (...) {
        ZSTD_freeDCtx(dctx);
        throw;
    }
    ZSTD_freeDCtx(dctx);
    out.resize(used);
    return out;
}

std::vector<std::uint8_t> deflate_zlib(const std::uint8_t *data, std::size_t size) {
    z_stream zs{};
    if (deflateInit(&zs, Z_DEFAULT_COMPRESSION) != Z_OK) throw Error("zlib: cannot initialise the compressor");
    std::vector<std::uint8_t> out(std::max<std::size_t>(kMinChunk, size / 2));
    std::size_t used = 0;
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        if (zs.avail_in == 0 && size > 0) {
            std::size_t chunk = std::min<std::size_t>(size, std::numeric_limits<uInt>::max());
            zs.next_in = const_cast<Bytef *>(data);
            zs.avail_in = uInt(chunk);
            data += chunk;
            size -= chunk;
        }
        if (used == out.size()) out.resize(out.size() * 2);
        std::size_t space = std::min<std::size_t>(out.size() - used, std::numeric_limits<uInt>::max());
        zs.next_out = out.data() + used;
        zs.avail_out = uInt(space);
        rc = deflate(&zs, size == 0 ? Z_FINISH : Z_NO_FLUSH);
        used += space - zs.avail_out;
        if (rc == Z_STREAM_ERROR) {
            deflateEnd(&zs);
            throw Error("zlib: compression failed");
        }
    }
    deflateEnd(&zs);
    out.resize(used);
    return out;
}

std::vector<std::uint8_t> deflate_zstd(const std::uint8_t *data, std::size_t size) {
    std::vector<std::uint8_t> out(ZSTD_compressBound(size));
    std::size_t n = ZSTD_compress(out.data(), out.size(), data, size, ZSTD_CLEVEL_DEFAULT);
    if (ZSTD_isError(n)) throw Error(std::string("zstd: compression failed (") + ZSTD_getErrorName(n) + ")");
    out.resize(n);
    return out;
}

void consume_all(ByteReader &members, const std::function<void(ByteReader &)> &read_members) {
    read_members(members);
    if (members.remaining() != 0)
        throw Error("malformed object: " + std::to_string(members.remaining()) +
                    " unexpected bytes after its members");
}

} // namespace

std::vector<std::uint8_t> decompress(ComprMode mode, const std::uint8_t *data, std::size_t size,
                                     std::size_t max_output) {
    switch (mode) {
    case ComprMode::zlib: return inflate_zlib(data, size, max_output);
    case ComprMode::zstd: return inflate_zstd(data, size, max_output);
    case ComprMode::none: break;
    }
    throw Error("decompress: not a compression mode");
}

std::vector<std::uint8_t> compress(ComprMode mode, const std::uint8_t *data, std::size_t size) {
    switch (mode) {
    case ComprMode::zlib: return deflate_zlib(data, size);
    case ComprMode::zstd: return deflate_zstd(data, size);
    case ComprMode::none: break;
    }
    throw Error("compress: not a compression mode");
}

void read_frame(ByteReader &in, std::size_t max_members_bytes, const std::function<void(ByteReader &)> &read_members) {
    in.need(kSealHeaderSize, "SEAL header");
    std::uint16_t magic = in.u16("SEAL header magic");
    if (magic != kSealMagic) throw Error("not a SEAL object: bad magic 0x" + [&] {
        char hex[8];
        std::snprintf(hex, sizeof hex, "%04X", magic);
        return std::string(hex);
    }());
    std::uint8_t header_size = in.u8("SEAL header size");
    if (header_size != kSealHeaderSize)
        throw Error("invalid SEAL header: header size " + std::to_string(header_size) + " (expected 16)");
    std::uint8_t major = in.u8("SEAL version"), minor = in.u8("SEAL version");
    // SEAL 4.1 loads only headers that carry its own version, 4.1; so do we.
    if (major != kSealVersionMajor || minor != kSealVersionMinor)
        throw Error("unsupported SEAL serialization version " + std::to_string(major) + "." +
                    std::to_string(minor) + " (only 4.1, the version SEAL 4.1 writes, is accepted)");
    std::uint8_t mode = in.u8("SEAL compression mode");
    if (mode > std::uint8_t(ComprMode::zstd))
        throw Error("unsupported SEAL compression mode " + std::to_string(mode));
    in.u16("SEAL header reserved bytes"); // SEAL ignores them too
    std::uint64_t total = in.u64("SEAL object size");
    if (total < kSealHeaderSize || total - kSealHeaderSize > in.remaining())
        throw Error("invalid SEAL header: declared size " + std::to_string(total) + " but " +
                    std::to_string(in.remaining() + kSealHeaderSize) + " bytes are available");
    std::size_t payload_size = std::size_t(total - kSealHeaderSize);
    const std::uint8_t *payload = in.take(payload_size, "SEAL object members");
    if (ComprMode(mode) == ComprMode::none) {
        if (payload_size > max_members_bytes)
            throw Error("object of " + std::to_string(payload_size) + " bytes exceeds the limit of " +
                        std::to_string(max_members_bytes) + " bytes");
        ByteReader members(payload, payload_size);
        consume_all(members, read_members);
    } else {
        // Compressed data is never much larger than what it inflates to: a payload that could not come from an
        // object within the bound is refused before any inflating.
        if (payload_size > max_members_bytes + max_members_bytes / 64 + 1024)
            throw Error("compressed object of " + std::to_string(payload_size) + " bytes exceeds the limit of " +
                        std::to_string(max_members_bytes) + " bytes");
        std::vector<std::uint8_t> plain = decompress(ComprMode(mode), payload, payload_size, max_members_bytes);
        ByteReader members(plain.data(), plain.size());
        consume_all(members, read_members);
    }
}

void write_frame(ByteWriter &out, ComprMode mode, const std::function<void(ByteWriter &)> &write_members,
                 std::size_t members_hint) {
    std::size_t start = out.size();
    out.u16(kSealMagic);
    out.u8(kSealHeaderSize);
    out.u8(kSealVersionMajor);
    out.u8(kSealVersionMinor);
    out.u8(std::uint8_t(mode));
    out.u16(0);
    out.u64(0); // patched below
    if (mode == ComprMode::none) {
        out.reserve(members_hint);
        write_members(out);
    } else {
        ByteWriter members;
        members.reserve(members_hint);
        write_members(members);
        if (mode == ComprMode::zstd) { // compressed straight into out
            std::vector<std::uint8_t> &bytes = out.bytes();
            std::size_t at = bytes.size();
            bytes.resize(at + ZSTD_compressBound(members.size()));
            std::size_t n = ZSTD_compress(bytes.data() + at, bytes.size() - at, members.bytes().data(),
                                          members.size(), ZSTD_CLEVEL_DEFAULT);
            if (ZSTD_isError(n)) throw Error(std::string("zstd: compression failed (") + ZSTD_getErrorName(n) + ")");
            bytes.resize(at + n);
        } else {
            std::vector<std::uint8_t> packed = compress(mode, members.bytes().data(), members.size());
            out.bytes(packed.data(), packed.size());
        }
    }
    out.patch_u64(start + 8, std::uint64_t(out.size() - start));
}

} // namespace veil::he::serial
