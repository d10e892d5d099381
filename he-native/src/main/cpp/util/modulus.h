// A word-sized modulus with its Barrett constant, and the scalar modular arithmetic built on it.
// All values are kept below 2^61 (SEAL's user moduli are at most 60 bits), which leaves headroom
// for lazy reduction in [0, 2q) or [0, 4q).
#pragma once

#include <cstdint>

namespace veil::he::util {

using u128 = unsigned __int128;

inline uint64_t mul_hi(uint64_t a, uint64_t b) { return uint64_t((u128(a) * b) >> 64); }

class Modulus {
public:
    Modulus() = default;
    explicit Modulus(uint64_t value);

    uint64_t value() const { return value_; }
    int bit_count() const { return bit_count_; }
    // floor(2^128 / q) as (hi, lo) words.
    uint64_t ratio_hi() const { return ratio_hi_; }
    uint64_t ratio_lo() const { return ratio_lo_; }

    // x mod q for any 64-bit x (single-word Barrett with floor(2^64/q) = ratio_hi).
    uint64_t reduce(uint64_t x) const {
        uint64_t r = x - mul_hi(x, ratio_hi_) * value_;
        return r >= value_ ? r - value_ : r;
    }
    // x mod q for any 128-bit x (two-word Barrett).
    uint64_t reduce(u128 x) const {
        uint64_t lo = uint64_t(x), hi = uint64_t(x >> 64);
        // floor(x * ratio / 2^128) approximated from the three high partial products.
        u128 t = u128(mul_hi(lo, ratio_lo_));
        t += u128(lo) * ratio_hi_;
        u128 m = u128(hi) * ratio_lo_;
        t += uint64_t(m);
        uint64_t carry_word = uint64_t(t >> 64) + uint64_t(m >> 64);
        uint64_t quot = hi * ratio_hi_ + carry_word;
        uint64_t r = lo - quot * value_;
        return r >= value_ ? r - value_ : r;
    }

private:
    uint64_t value_ = 0;
    int bit_count_ = 0;
    uint64_t ratio_hi_ = 0, ratio_lo_ = 0;
};

inline uint64_t add_mod(uint64_t a, uint64_t b, uint64_t q) {
    uint64_t s = a + b;
    return s >= q ? s - q : s;
}
inline uint64_t sub_mod(uint64_t a, uint64_t b, uint64_t q) {
    return a >= b ? a - b : a + q - b;
}
inline uint64_t neg_mod(uint64_t a, uint64_t q) { return a ? q - a : 0; }
inline uint64_t mul_mod(uint64_t a, uint64_t b, const Modulus& q) { return q.reduce(u128(a) * b); }

uint64_t pow_mod(uint64_t base, uint64_t exp, const Modulus& q);
// Inverse of a modulo q (q need not be prime; a and q coprime). Throws Error when not invertible.
uint64_t inv_mod(uint64_t a, uint64_t q);

// A constant multiplicand with its Shoup quotient floor(w * 2^64 / q): x * w mod q costs two
// multiplications and no division. Requires w < q.
struct MulOperand {
    uint64_t operand = 0;
    uint64_t quotient = 0;
    MulOperand() = default;
    MulOperand(uint64_t w, uint64_t q) : operand(w), quotient(uint64_t((u128(w) << 64) / q)) {}
};

// x * w mod q in [0, 2q) for any 64-bit x.
inline uint64_t mul_shoup_lazy(uint64_t x, const MulOperand& w, uint64_t q) {
    return x * w.operand - mul_hi(x, w.quotient) * q;
}
inline uint64_t mul_shoup(uint64_t x, const MulOperand& w, uint64_t q) {
    uint64_t r = mul_shoup_lazy(x, w, q);
    return r >= q ? r - q : r;
}

}  // namespace veil::he::util
