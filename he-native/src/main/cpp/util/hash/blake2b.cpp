#include "util/hash/blake2b.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>

namespace veil::he::hash {
namespace {

constexpr std::array<std::uint64_t, 8> kIv = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL};

constexpr std::uint8_t kSigma[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4}, {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13}, {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11}, {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5}, {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3}};

inline std::uint64_t rotr(std::uint64_t x, int n) { return (x >> n) | (x << (64 - n)); }

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "BLAKE2b words are little-endian, as this host's");

inline std::uint64_t load_le64(const std::uint8_t *p) {
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// Zeroes secret state; the barrier keeps the compiler from dropping the stores as dead.
inline void wipe_bytes(void *p, std::size_t n) {
    std::memset(p, 0, n);
    __asm__ __volatile__("" : : "r"(p) : "memory");
}

// The 64-byte BLAKE2b parameter block, kept as named fields and packed little-endian when hashing starts.
struct Params {
    std::uint8_t digest_length = kBlake2bMaxDigestBytes;
    std::uint8_t key_length = 0;
    std::uint8_t fanout = 1;
    std::uint8_t depth = 1;
    std::uint32_t leaf_length = 0;
    std::uint32_t node_offset = 0;
    std::uint32_t xof_length = 0; // BLAKE2Xb stores it in the upper half of BLAKE2b's 64-bit node offset
    std::uint8_t node_depth = 0;
    std::uint8_t inner_length = 0;

    std::array<std::uint64_t, 8> packed() const {
        std::array<std::uint64_t, 8> words{};
        words[0] = std::uint64_t(digest_length) | std::uint64_t(key_length) << 8 | std::uint64_t(fanout) << 16 |
                   std::uint64_t(depth) << 24 | std::uint64_t(leaf_length) << 32;
        words[1] = std::uint64_t(node_offset) | std::uint64_t(xof_length) << 32;
        words[2] = std::uint64_t(node_depth) | std::uint64_t(inner_length) << 8;
        return words; // salt and personalisation stay zero
    }
};

class State {
public:
    explicit State(const Params &p) : out_len_(p.digest_length) {
        auto words = p.packed();
        for (std::size_t i = 0; i < 8; ++i) h_[i] = kIv[i] ^ words[i];
    }

    void update(const std::uint8_t *in, std::size_t len) {
        while (len > 0) {
            // Keep the last block buffered: it must be compressed with the final flag.
            if (buf_len_ == kBlake2bBlockBytes) {
                add_counter(kBlake2bBlockBytes);
                compress(buf_.data(), false);
                buf_len_ = 0;
            }
            std::size_t take = std::min(len, kBlake2bBlockBytes - buf_len_);
            std::memcpy(buf_.data() + buf_len_, in, take);
            buf_len_ += take;
            in += take;
            len -= take;
        }
    }

    void final(std::uint8_t *out) {
        add_counter(buf_len_);
        std::memset(buf_.data() + buf_len_, 0, kBlake2bBlockBytes - buf_len_);
        compress(buf_.data(), true);
        std::memcpy(out, h_.data(), out_len_); // little-endian words, as BLAKE2b outputs them
        wipe();
    }

    ~State() { wipe(); }

private:
    void add_counter(std::size_t n) {
        t_[0] += n;
        if (t_[0] < n) ++t_[1];
    }

    void compress(const std::uint8_t *block, bool last) {
        std::uint64_t m[16], v[16];
        for (int i = 0; i < 16; ++i) m[i] = load_le64(block + 8 * i);
        for (int i = 0; i < 8; ++i) {
            v[i] = h_[i];
            v[i + 8] = kIv[i];
        }
        v[12] ^= t_[0];
        v[13] ^= t_[1];
        if (last) v[14] = ~v[14];
        auto g = [&](int a, int b, int c, int d, std::uint64_t x, std::uint64_t y) {
            v[a] = v[a] + v[b] + x;
            v[d] = rotr(v[d] ^ v[a], 32);
            v[c] = v[c] + v[d];
            v[b] = rotr(v[b] ^ v[c], 24);
            v[a] = v[a] + v[b] + y;
            v[d] = rotr(v[d] ^ v[a], 16);
            v[c] = v[c] + v[d];
            v[b] = rotr(v[b] ^ v[c], 63);
        };
        // Unrolled, so that v and m live in registers (the schedule indices become constants).
#pragma GCC unroll 12
        for (const auto &s : kSigma) {
            g(0, 4, 8, 12, m[s[0]], m[s[1]]);
            g(1, 5, 9, 13, m[s[2]], m[s[3]]);
            g(2, 6, 10, 14, m[s[4]], m[s[5]]);
            g(3, 7, 11, 15, m[s[6]], m[s[7]]);
            g(0, 5, 10, 15, m[s[8]], m[s[9]]);
            g(1, 6, 11, 12, m[s[10]], m[s[11]]);
            g(2, 7, 8, 13, m[s[12]], m[s[13]]);
            g(3, 4, 9, 14, m[s[14]], m[s[15]]);
        }
        for (int i = 0; i < 8; ++i) h_[i] ^= v[i] ^ v[i + 8];
    }

    void wipe() { wipe_bytes(buf_.data(), buf_.size()); }

    std::array<std::uint64_t, 8> h_{};
    std::array<std::uint64_t, 2> t_{};
    std::array<std::uint8_t, kBlake2bBlockBytes> buf_{};
    std::size_t buf_len_ = 0;
    std::size_t out_len_;
};

// A keyed hash absorbs the key zero-padded to one full block before the message.
void absorb_key(State &s, const void *key, std::size_t key_len) {
    if (key_len == 0) return;
    std::array<std::uint8_t, kBlake2bBlockBytes> block{};
    std::memcpy(block.data(), key, key_len);
    s.update(block.data(), block.size());
    wipe_bytes(block.data(), block.size());
}

void check_args(std::uint8_t *out, const void *in, std::size_t in_len, const void *key, std::size_t key_len) {
    if (out == nullptr) throw std::invalid_argument("blake2b: output buffer is null");
    if (in == nullptr && in_len > 0) throw std::invalid_argument("blake2b: input is null");
    if (key_len > kBlake2bMaxKeyBytes) throw std::invalid_argument("blake2b: key longer than 64 bytes");
    if (key == nullptr && key_len > 0) throw std::invalid_argument("blake2b: key is null");
}

} // namespace

void blake2b(std::uint8_t *out, std::size_t out_len, const void *in, std::size_t in_len, const void *key,
             std::size_t key_len) {
    check_args(out, in, in_len, key, key_len);
    if (out_len == 0 || out_len > kBlake2bMaxDigestBytes)
        throw std::invalid_argument("blake2b: digest length must be 1..64 bytes");
    Params p;
    p.digest_length = std::uint8_t(out_len);
    p.key_length = std::uint8_t(key_len);
    State s(p);
    absorb_key(s, key, key_len);
    s.update(static_cast<const std::uint8_t *>(in), in_len);
    s.final(out);
}

void blake2xb(std::uint8_t *out, std::size_t out_len, const void *in, std::size_t in_len, const void *key,
              std::size_t key_len) {
    check_args(out, in, in_len, key, key_len);
    if (out_len == 0 || out_len >= 0xFFFFFFFFULL)
        throw std::invalid_argument("blake2xb: output length must be 1..2^32-2 bytes");
    Params root_params;
    root_params.key_length = std::uint8_t(key_len);
    root_params.xof_length = std::uint32_t(out_len);
    std::array<std::uint8_t, kBlake2bMaxDigestBytes> root{};
    {
        State s(root_params);
        absorb_key(s, key, key_len);
        s.update(static_cast<const std::uint8_t *>(in), in_len);
        s.final(root.data());
    }
    Params leaf = root_params;
    leaf.key_length = 0;
    leaf.fanout = 0;
    leaf.depth = 0;
    leaf.leaf_length = kBlake2bMaxDigestBytes;
    leaf.inner_length = kBlake2bMaxDigestBytes;
    for (std::uint32_t i = 0; out_len > 0; ++i) {
        std::size_t block = std::min(out_len, kBlake2bMaxDigestBytes);
        leaf.digest_length = std::uint8_t(block);
        leaf.node_offset = i;
        State s(leaf);
        s.update(root.data(), root.size());
        s.final(out);
        out += block;
        out_len -= block;
    }
    wipe_bytes(root.data(), root.size());
}

} // namespace veil::he::hash
