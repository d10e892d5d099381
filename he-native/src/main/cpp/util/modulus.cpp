#include "util/modulus.h"

#include "he/error.h"

namespace veil::he::util {

Modulus::Modulus(uint64_t value) : value_(value) {
    require(value >= 2 && value < (uint64_t(1) << 61), "modulus must be in [2, 2^61)");
    bit_count_ = 64 - __builtin_clzll(value);
    // floor(2^128 / q) by two steps of long division.
    u128 hi_part = (u128(1) << 64) / value;        // floor(2^64 / q) fits when q >= 2
    u128 rem = (u128(1) << 64) - hi_part * value;  // 2^64 mod q
    u128 lo_part = (rem << 64) / value;
    u128 ratio = (hi_part << 64) + lo_part;
    ratio_hi_ = uint64_t(ratio >> 64);
    ratio_lo_ = uint64_t(ratio);
}

uint64_t pow_mod(uint64_t base, uint64_t exp, const Modulus& q) {
    uint64_t result = 1 % q.value();
    base = q.reduce(base);
    while (exp) {
        if (exp & 1) result = mul_mod(result, base, q);
        base = mul_mod(base, base, q);
        exp >>= 1;
    }
    return result;
}

uint64_t inv_mod(uint64_t a, uint64_t q) {
    // Extended Euclid on signed 128-bit to avoid overflow.
    __int128 r0 = q, r1 = a % q, t0 = 0, t1 = 1;
    while (r1) {
        __int128 quot = r0 / r1;
        __int128 r2 = r0 - quot * r1;
        r0 = r1;
        r1 = r2;
        __int128 t2 = t0 - quot * t1;
        t0 = t1;
        t1 = t2;
    }
    require(r0 == 1, "value is not invertible modulo the modulus");
    if (t0 < 0) t0 += q;
    return uint64_t(t0);
}

}  // namespace veil::he::util
