#include "serial/base64.h"

#include <string>

#include "he/error.h"

namespace veil::he::serial {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint8_t kSkip = 0xFE;    // whitespace
constexpr std::uint8_t kPad = 0xFD;     // '='
constexpr std::uint8_t kInvalid = 0xFF; // anything else

struct DecodeTable {
    std::uint8_t value[256];
    constexpr DecodeTable() : value{} {
        for (auto &v : value) v = kInvalid;
        for (int i = 0; i < 64; ++i) value[std::uint8_t(kAlphabet[i])] = std::uint8_t(i);
        value[std::uint8_t(' ')] = value[std::uint8_t('\t')] = value[std::uint8_t('\r')] = value[std::uint8_t('\n')] = kSkip;
        value[std::uint8_t('=')] = kPad;
    }
};
constexpr DecodeTable kDecode{};

[[noreturn]] void bad_char(std::size_t at) {
    throw Error("not valid base64: unexpected character at offset " + std::to_string(at));
}

} // namespace

std::size_t base64_encoded_size(std::size_t n) { return (n + 2) / 3 * 4; }

void encode_base64(const std::uint8_t *in, std::size_t n, std::uint8_t *out) {
    std::size_t i = 0;
    for (; i + 3 <= n; i += 3, out += 4) {
        std::uint32_t v = std::uint32_t(in[i]) << 16 | std::uint32_t(in[i + 1]) << 8 | in[i + 2];
        out[0] = std::uint8_t(kAlphabet[v >> 18]);
        out[1] = std::uint8_t(kAlphabet[(v >> 12) & 63]);
        out[2] = std::uint8_t(kAlphabet[(v >> 6) & 63]);
        out[3] = std::uint8_t(kAlphabet[v & 63]);
    }
    if (i < n) {
        std::uint32_t v = std::uint32_t(in[i]) << 16 | (i + 1 < n ? std::uint32_t(in[i + 1]) << 8 : 0);
        out[0] = std::uint8_t(kAlphabet[v >> 18]);
        out[1] = std::uint8_t(kAlphabet[(v >> 12) & 63]);
        out[2] = i + 1 < n ? std::uint8_t(kAlphabet[(v >> 6) & 63]) : '=';
        out[3] = '=';
    }
}

void decode_base64(const std::uint8_t *text, std::size_t size, std::vector<std::uint8_t> &out) {
    out.resize(size / 4 * 3 + 3);
    std::uint8_t *w = out.data();
    std::uint32_t acc = 0;
    int have = 0; // sextets in acc
    std::size_t i = 0;
    for (; i < size; ++i) {
        std::uint8_t v = kDecode.value[text[i]];
        if (v < 64) {
            acc = acc << 6 | v;
            if (++have == 4) {
                w[0] = std::uint8_t(acc >> 16);
                w[1] = std::uint8_t(acc >> 8);
                w[2] = std::uint8_t(acc);
                w += 3;
                acc = 0;
                have = 0;
            }
        } else if (v == kSkip) {
            continue;
        } else if (v == kPad) {
            break;
        } else {
            bad_char(i);
        }
    }
    // A final group of two or three sextets carries one or two bytes; one sextet carries none.
    if (have == 1) throw Error("not valid base64: the text ends inside a byte");
    std::size_t pads_needed = have == 0 ? 0 : std::size_t(4 - have);
    if (i < size) { // stopped at '=': only the padding this group needs, then whitespace
        if (have == 0) bad_char(i);
        std::size_t pads = 0;
        for (; i < size; ++i) {
            std::uint8_t v = kDecode.value[text[i]];
            if (v == kPad && pads < pads_needed) {
                ++pads;
            } else if (v != kSkip) {
                bad_char(i);
            }
        }
    }
    if (have == 2) {
        *w++ = std::uint8_t(acc >> 4);
    } else if (have == 3) {
        *w++ = std::uint8_t(acc >> 10);
        *w++ = std::uint8_t(acc >> 2);
    }
    out.resize(std::size_t(w - out.data()));
}

} // namespace veil::he::serial
