#include "util/prng/prng.h"

#include "util/hash/blake2b.h"
#include "util/hash/shake256.h"
#include "util/modulus.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <sys/random.h>

namespace veil::he {

void os_random_bytes(void *buf, std::size_t count) {
    auto *p = static_cast<std::uint8_t *>(buf);
    while (count > 0) {
        ssize_t got = getrandom(p, count, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            if (errno == ENOSYS) break; // old kernel: use the device instead
            throw std::runtime_error(std::string("getrandom failed: ") + std::strerror(errno));
        }
        p += got;
        count -= std::size_t(got);
    }
    if (count == 0) return;
    std::FILE *f = std::fopen("/dev/urandom", "rb");
    if (f == nullptr) throw std::runtime_error("cannot open /dev/urandom for randomness");
    std::size_t read = std::fread(p, 1, count, f);
    std::fclose(f);
    if (read != count) throw std::runtime_error("short read from /dev/urandom");
}

PrngSeed random_seed() {
    PrngSeed seed;
    os_random_bytes(seed.data(), kPrngSeedBytes);
    return seed;
}

SeededPrng::SeededPrng(PrngType type, const PrngSeed &seed) : type_(type), seed_(seed) {
    if (type != PrngType::blake2xb && type != PrngType::shake256)
        throw std::invalid_argument("unsupported PRNG type " + std::to_string(int(type)));
}

SeededPrng::~SeededPrng() {
    volatile std::uint8_t *b = buffer_.data();
    for (std::size_t i = 0; i < buffer_.size(); ++i) b[i] = 0;
    volatile std::uint64_t *s = seed_.data();
    for (std::size_t i = 0; i < seed_.size(); ++i) s[i] = 0;
}

void SeededPrng::refill() {
    if (type_ == PrngType::blake2xb) {
        // The counter is the message and the seed is the key.
        hash::blake2xb(buffer_.data(), kBufferBytes, &counter_, sizeof counter_, seed_.data(), kPrngSeedBytes);
    } else {
        // The counter is appended to the seed as a ninth little-endian word.
        std::array<std::uint64_t, kPrngSeedWords + 1> input{};
        std::memcpy(input.data(), seed_.data(), kPrngSeedBytes);
        input[kPrngSeedWords] = counter_;
        hash::shake256(buffer_.data(), kBufferBytes, reinterpret_cast<const std::uint8_t *>(input.data()),
                       sizeof input);
        volatile std::uint64_t *w = input.data();
        for (std::size_t i = 0; i < input.size(); ++i) w[i] = 0;
    }
    ++counter_;
    head_ = 0;
}

void SeededPrng::generate(void *dest, std::size_t byte_count) {
    auto *out = static_cast<std::uint8_t *>(dest);
    while (byte_count > 0) {
        if (head_ == kBufferBytes) refill();
        std::size_t take = std::min(byte_count, kBufferBytes - head_);
        std::memcpy(out, buffer_.data() + head_, take);
        head_ += take;
        out += take;
        byte_count -= take;
    }
}

void sample_poly_uniform(UniformRandom &rng, std::size_t n, const std::vector<std::uint64_t> &moduli,
                         std::uint64_t *dest) {
    rng.generate(dest, n * moduli.size() * sizeof(std::uint64_t));
    constexpr std::uint64_t kMax = ~std::uint64_t(0);
    for (std::uint64_t q : moduli) {
        if (q < 2) throw std::invalid_argument("sample_poly_uniform: modulus must be at least 2");
        const std::uint64_t bound = kMax - kMax % q - 1;
        // Barrett instead of a division per coefficient; the same residues.
        const bool barrett = q < (std::uint64_t(1) << 61);
        const util::Modulus m(barrett ? q : 2);
        for (std::size_t i = 0; i < n; ++i) {
            std::uint64_t r = dest[i];
            while (r >= bound) r = rng.next_u64();
            dest[i] = barrett ? m.reduce(r) : r % q;
        }
        dest += n;
    }
}

} // namespace veil::he
