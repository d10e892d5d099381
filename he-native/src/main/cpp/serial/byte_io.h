// Little-endian byte reader/writer used by every loader and saver: the reader checks each length against
// the bytes that remain before touching (or allocating for) them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "he/error.h"

// Bulk word arrays are copied as-is, which matches SEAL's little-endian wire order only on such hosts.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "he-native serialization assumes a little-endian host");

namespace veil::he::serial {

class ByteReader {
public:
    ByteReader(const std::uint8_t *data, std::size_t size) : p_(data), left_(size) {}

    std::size_t remaining() const { return left_; }

    // Throws naming `what` unless n more bytes are available.
    void need(std::size_t n, const char *what) const {
        if (n > left_)
            throw Error(std::string("truncated input: ") + what + " needs " + std::to_string(n) +
                        " bytes but only " + std::to_string(left_) + " remain");
    }
    const std::uint8_t *take(std::size_t n, const char *what) {
        need(n, what);
        const std::uint8_t *at = p_;
        p_ += n;
        left_ -= n;
        return at;
    }
    std::uint8_t u8(const char *what) { return *take(1, what); }
    std::uint16_t u16(const char *what) {
        const std::uint8_t *b = take(2, what);
        return std::uint16_t(b[0] | b[1] << 8);
    }
    std::uint64_t u64(const char *what) {
        const std::uint8_t *b = take(8, what);
        std::uint64_t v = 0;
        for (int i = 7; i >= 0; --i) v = (v << 8) | b[i];
        return v;
    }
    double f64(const char *what) {
        std::uint64_t bits = u64(what);
        double v;
        std::memcpy(&v, &bits, sizeof v);
        return v;
    }
    // Reads count little-endian words into out, after checking that count*8 bytes are present.
    void u64_array(std::uint64_t *out, std::size_t count, const char *what) {
        if (count > left_ / 8)
            throw Error(std::string("truncated input: ") + what + " declares " + std::to_string(count) +
                        " words but only " + std::to_string(left_) + " bytes remain");
        const std::uint8_t *src = take(count * 8, what);
        if (count != 0) std::memcpy(out, src, count * 8); // host order is little-endian (see top)
    }

private:
    const std::uint8_t *p_;
    std::size_t left_;
};

class ByteWriter {
public:
    std::vector<std::uint8_t> &bytes() { return out_; }
    std::size_t size() const { return out_.size(); }
    // Room for n more bytes, so that writing a large object does not copy it on every growth.
    void reserve(std::size_t n) { out_.reserve(out_.size() + n); }

    void u8(std::uint8_t v) { out_.push_back(v); }
    void u16(std::uint16_t v) {
        out_.push_back(std::uint8_t(v));
        out_.push_back(std::uint8_t(v >> 8));
    }
    void u64(std::uint64_t v) {
        for (int i = 0; i < 8; ++i) out_.push_back(std::uint8_t(v >> (8 * i)));
    }
    void f64(double v) {
        std::uint64_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        u64(bits);
    }
    void u64_array(const std::uint64_t *words, std::size_t count) {
        bytes(words, count * 8); // host order is little-endian (see top)
    }
    void bytes(const void *data, std::size_t n) {
        const auto *b = static_cast<const std::uint8_t *>(data);
        out_.insert(out_.end(), b, b + n);
    }
    void patch_u64(std::size_t at, std::uint64_t v) {
        for (int i = 0; i < 8; ++i) out_[at + i] = std::uint8_t(v >> (8 * i));
    }

private:
    std::vector<std::uint8_t> out_;
};

} // namespace veil::he::serial
