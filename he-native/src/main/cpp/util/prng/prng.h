// Seeded PRNGs that expand a 64-byte seed into exactly the byte stream SEAL's Blake2xbPRNG / Shake256PRNG
// produce, the OS randomness source for fresh seeds, and SEAL's uniform sampling mod each prime.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace veil::he {

// Numeric values are SEAL's prng_type byte on the wire.
enum class PrngType : std::uint8_t { unknown = 0, blake2xb = 1, shake256 = 2 };

constexpr std::size_t kPrngSeedWords = 8;
constexpr std::size_t kPrngSeedBytes = kPrngSeedWords * 8;
using PrngSeed = std::array<std::uint64_t, kPrngSeedWords>;

// Fills buf with bytes from the OS CSPRNG (getrandom, falling back to /dev/urandom); throws on failure.
void os_random_bytes(void *buf, std::size_t count);

PrngSeed random_seed();

// A source of uniformly random bytes. Not thread-safe: use one instance per thread.
class UniformRandom {
public:
    virtual ~UniformRandom() = default;
    virtual void generate(void *dest, std::size_t byte_count) = 0;
    std::uint64_t next_u64() {
        std::uint64_t v;
        generate(&v, sizeof v);
        return v;
    }
};

// A deterministic generator over a 4096-byte buffer refilled from (seed, counter), counter starting at 0
// and incremented per refill; a partially consumed buffer is carried over between generate calls, as SEAL.
class SeededPrng : public UniformRandom {
public:
    SeededPrng(PrngType type, const PrngSeed &seed);
    ~SeededPrng() override;
    SeededPrng(const SeededPrng &) = delete;
    SeededPrng &operator=(const SeededPrng &) = delete;

    void generate(void *dest, std::size_t byte_count) override;
    PrngType type() const { return type_; }
    const PrngSeed &seed() const { return seed_; }

    static constexpr std::size_t kBufferBytes = 4096;

private:
    void refill();

    PrngType type_;
    PrngSeed seed_;
    std::uint64_t counter_ = 0;
    std::array<std::uint8_t, kBufferBytes> buffer_{};
    std::size_t head_ = kBufferBytes; // empty until the first generate
};

// Fills dest (moduli.size() blocks of n words, RNS-major) with values uniform mod each modulus. Draws
// n*moduli.size() words up front, then for each value at or above the largest multiple of q that fits
// (SEAL's bound: 2^64-1 - ((2^64-1) mod q) - 1) redraws one word from the stream, in order.
void sample_poly_uniform(UniformRandom &rng, std::size_t n, const std::vector<std::uint64_t> &moduli,
                         std::uint64_t *dest);

} // namespace veil::he
