#include "util/polyarith.h"

#include <immintrin.h>

#include <algorithm>

#include "he/error.h"
#include "util/avx512.h"
#include "util/simd.h"

namespace veil::he::util {

void multiply_poly_scalar(const uint64_t* a, const MulOperand& w, uint64_t* out, std::size_t n, uint64_t q) {
    for (std::size_t i = 0; i < n; ++i) out[i] = mul_shoup(a[i], w, q);
}

void reduce_poly(const uint64_t* a, uint64_t* out, std::size_t n, const Modulus& q) {
    for (std::size_t i = 0; i < n; ++i) out[i] = q.reduce(a[i]);
}

// ---------------------------------------------------------------------------------------------
// IFMA kernels. A product of two values below 2^50 is split by the 52-bit multiply-add into
// hi * 2^52 + lo. Sums that stay below 2^(L+51) for an L-bit prime are reduced by Barrett with a
// precomputed 52-bit constant (two more multiplies); larger sums (long key-switch dot products) with
// precomputed 2^52 mod q and 2^55 mod q. Additions need only AVX-512F and work for any q < 2^63.

namespace {

constexpr uint64_t kMask52 = (uint64_t(1) << 52) - 1;

struct Ifma52Consts {
    __m512i q, two_q, four_q;
    __m512i one_w, one_wq;   // multiplicand 1: reduces a 52-bit value into [0, 2q)
    __m512i w52, w52q;       // 2^52 mod q
    __m512i w55, w55q;       // 2^55 mod q
};

uint64_t shoup52(uint64_t w, uint64_t q) { return uint64_t((u128(w) << 52) / q); }

VEIL_IFMA Ifma52Consts make_consts(uint64_t qv) {
    Ifma52Consts c;
    c.q = _mm512_set1_epi64(int64_t(qv));
    c.two_q = _mm512_set1_epi64(int64_t(2 * qv));
    c.four_q = _mm512_set1_epi64(int64_t(4 * qv));
    c.one_w = _mm512_set1_epi64(1);
    c.one_wq = _mm512_set1_epi64(int64_t(shoup52(1, qv)));
    uint64_t w52 = uint64_t((u128(1) << 52) % qv), w55 = uint64_t((u128(1) << 55) % qv);
    c.w52 = _mm512_set1_epi64(int64_t(w52));
    c.w52q = _mm512_set1_epi64(int64_t(shoup52(w52, qv)));
    c.w55 = _mm512_set1_epi64(int64_t(w55));
    c.w55q = _mm512_set1_epi64(int64_t(shoup52(w55, qv)));
    return c;
}

VEIL_IFMA inline __m512i shoup52_mul(__m512i x, __m512i w, __m512i wq, __m512i q) {
    const __m512i zero = _mm512_setzero_si512();
    __m512i hi = _mm512_madd52hi_epu64(zero, x, wq);
    __m512i r = _mm512_sub_epi64(_mm512_madd52lo_epu64(zero, x, w), _mm512_madd52lo_epu64(zero, hi, q));
    return _mm512_and_si512(r, _mm512_set1_epi64(int64_t(kMask52)));
}

using avx512::sub_if_ge;
using avx512::mul_hi64;
using avx512::load_once;
using avx512::prefetch_ahead;

// A store that either goes through the cache or, for an aligned output that is not read back soon, around it
// (no read for ownership of the line).
VEIL_IFMA inline void store(uint64_t* p, __m512i v, bool stream) {
    if (stream)
        _mm512_stream_si512(reinterpret_cast<__m512i*>(p), v);
    else
        _mm512_storeu_si512(p, v);
}

// (hi * 2^52 + lo) mod q for hi < 2^55 and lo < 2^52.
VEIL_IFMA inline __m512i reduce_split(__m512i hi, __m512i lo, const Ifma52Consts& c) {
    __m512i t = shoup52_mul(_mm512_srli_epi64(hi, 3), c.w55, c.w55q, c.q);
    t = _mm512_add_epi64(t, shoup52_mul(_mm512_and_si512(hi, _mm512_set1_epi64(7)), c.w52, c.w52q, c.q));
    t = _mm512_add_epi64(t, shoup52_mul(lo, c.one_w, c.one_wq, c.q));  // now in [0, 6q)
    t = sub_if_ge(t, c.four_q);
    t = sub_if_ge(t, c.two_q);
    return sub_if_ge(t, c.q);
}

VEIL_IFMA void accumulate_ifma(uint64_t* lo, uint64_t* hi, const uint64_t* a, const uint32_t* perm,
                               const uint64_t* b, std::size_t n) {
    for (std::size_t i = 0; i < n; i += 8) {
        __m512i x = perm ? _mm512_i32gather_epi64(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(perm + i)),
                                                  reinterpret_cast<const long long*>(a), 8)
                         : _mm512_loadu_si512(a + i);
        __m512i y = _mm512_loadu_si512(b + i);
        _mm512_storeu_si512(lo + i, _mm512_madd52lo_epu64(_mm512_loadu_si512(lo + i), x, y));
        _mm512_storeu_si512(hi + i, _mm512_madd52hi_epu64(_mm512_loadu_si512(hi + i), x, y));
    }
}

VEIL_IFMA void finish_ifma(const uint64_t* lo, const uint64_t* hi, uint64_t* out, std::size_t n, uint64_t qv) {
    const Ifma52Consts c = make_consts(qv);
    const __m512i mask = _mm512_set1_epi64(int64_t(kMask52));
    for (std::size_t i = 0; i < n; i += 8) {
        __m512i l = _mm512_loadu_si512(lo + i);
        __m512i h = _mm512_add_epi64(_mm512_loadu_si512(hi + i), _mm512_srli_epi64(l, 52));
        _mm512_storeu_si512(out + i, reduce_split(h, _mm512_and_si512(l, mask), c));
    }
}


// Barrett reduction of P = hi * 2^52 + lo (lo < 2^52) for P < 2^(s + 52), s = L - 1 for an L-bit prime
// q, with k = floor(2^(s + 52) / q) < 2^52. The quotient estimate floor(floor(P / 2^s) * k / 2^52) is at
// most 2 below the true one, so the remainder is below 3q < 2^52 and is exact in the low 52 bits.
struct Barrett52 {
    __m512i q, two_q, k, mask;
    __m512i s, s_up;  // shift counts s and 52 - s per lane (a per-lane shift is one µop, a shift by xmm two)
};

VEIL_IFMA Barrett52 make_barrett(uint64_t qv) {
    const int s = 63 - __builtin_clzll(qv);  // bit count - 1
    Barrett52 b;
    b.q = _mm512_set1_epi64(int64_t(qv));
    b.two_q = _mm512_set1_epi64(int64_t(2 * qv));
    b.k = _mm512_set1_epi64(int64_t(uint64_t((u128(1) << (s + 52)) / qv)));
    b.mask = _mm512_set1_epi64(int64_t(kMask52));
    b.s = _mm512_set1_epi64(s);
    b.s_up = _mm512_set1_epi64(52 - s);
    return b;
}

// Largest number of products of values below q whose sum barrett_reduce accepts.
std::size_t barrett_terms(uint64_t qv) {
    const int bits = 64 - __builtin_clzll(qv);
    return bits >= 51 ? 0 : std::size_t(1) << (51 - bits);
}

VEIL_IFMA inline __m512i barrett_reduce(__m512i hi, __m512i lo, const Barrett52& b) {
    const __m512i zero = _mm512_setzero_si512();
    const __m512i c1 = _mm512_or_si512(_mm512_sllv_epi64(hi, b.s_up), _mm512_srlv_epi64(lo, b.s));
    const __m512i qe = _mm512_madd52hi_epu64(zero, c1, b.k);
    __m512i r = _mm512_and_si512(_mm512_sub_epi64(lo, _mm512_madd52lo_epu64(zero, qe, b.q)), b.mask);
    r = sub_if_ge(r, b.two_q);
    return sub_if_ge(r, b.q);
}

// One product x * y of values below an L-bit prime q < 2^50 with no 104-bit split: the high multiply of
// x by y * 2^(52-L) is floor(xy / 2^L) directly, and Barrett's constant k = floor(2^(L+52) / q) lies in
// [2^52, 2^53), so its product is c + hi52(c * (k - 2^52)), one more multiply-add. The quotient estimate
// is at most 3 below floor(xy / q) (truncations of c and k cost < 2.25, the final floor < 1), so the
// remainder is below 4q < 2^52, exact in the low 52 bits, and two conditional subtractions finish it.
struct Product52 {
    __m512i q, two_q, neg_q, k_low, mask, up;  // neg_q = 2^52 - q, up = 52 - L per lane
};

VEIL_IFMA Product52 make_product52(uint64_t qv) {
    const int bits = 64 - __builtin_clzll(qv);
    Product52 p;
    p.q = _mm512_set1_epi64(int64_t(qv));
    p.two_q = _mm512_set1_epi64(int64_t(2 * qv));
    p.neg_q = _mm512_set1_epi64(int64_t((uint64_t(1) << 52) - qv));
    p.k_low = _mm512_set1_epi64(int64_t(uint64_t((u128(1) << (bits + 52)) / qv) - (uint64_t(1) << 52)));
    p.mask = _mm512_set1_epi64(int64_t(kMask52));
    p.up = _mm512_set1_epi64(52 - bits);
    return p;
}

// x * y mod q, with y_up = y << (52 - L) (shared when one y multiplies several x).
VEIL_IFMA inline __m512i product52(__m512i x, __m512i y, __m512i y_up, const Product52& p) {
    const __m512i zero = _mm512_setzero_si512();
    const __m512i lo = _mm512_madd52lo_epu64(zero, x, y);
    const __m512i c = _mm512_madd52hi_epu64(zero, x, y_up);
    const __m512i qe = _mm512_madd52hi_epu64(c, c, p.k_low);
    // lo - qe q in the low 52 bits, the subtraction folded into a multiply-add of 2^52 - q.
    __m512i r = _mm512_and_si512(_mm512_madd52lo_epu64(lo, qe, p.neg_q), p.mask);
    r = sub_if_ge(r, p.two_q);
    return sub_if_ge(r, p.q);
}

// Primes of at most 49 bits get one conditional subtraction per product instead of two: Barrett with
// c = floor(xy / 2^(L-2)), from the high multiply of x * 2^(52-L) by y * 4 (both below 2^52), and
// k = floor(2^(L+50) / q) < 2^51. Writing P = xy < 2^(2L): c > P / 2^(L-2) - 1 and k > 2^(L+50) / q - 1,
// so c k / 2^52 > P / q - 2^(L-2) / q - P / 2^(L+50) > P / q - 1/2 - 2^(L-50) >= P / q - 1, and the
// estimate qe = floor(c k / 2^52) is at least floor(P / q) - 1: the remainder lies in [0, 2q). For a sum of
// two products (the middle term of a tensor) the two floors of c cost one more unit: remainder in [0, 3q).
struct Product49 {
    __m512i q, two_q, neg_q, k, mask, x_up;  // neg_q = 2^52 - q, x_up = 52 - L per lane
};

bool product49_for(uint64_t qv) { return qv < (uint64_t(1) << 49); }

VEIL_IFMA Product49 make_product49(uint64_t qv) {
    const int bits = 64 - __builtin_clzll(qv);
    Product49 p;
    p.q = _mm512_set1_epi64(int64_t(qv));
    p.two_q = _mm512_set1_epi64(int64_t(2 * qv));
    p.neg_q = _mm512_set1_epi64(int64_t((uint64_t(1) << 52) - qv));
    p.k = _mm512_set1_epi64(int64_t(uint64_t((u128(1) << (bits + 50)) / qv)));
    p.mask = _mm512_set1_epi64(int64_t(kMask52));
    p.x_up = _mm512_set1_epi64(52 - bits);
    return p;
}

// x * y mod q from lo = low 52 bits of xy and c = hi52((x << (52 - L)) * (y << 2)): one correction.
VEIL_IFMA inline __m512i finish49(__m512i lo, __m512i c, const Product49& p) {
    const __m512i qe = _mm512_madd52hi_epu64(_mm512_setzero_si512(), c, p.k);
    return sub_if_ge(_mm512_and_si512(_mm512_madd52lo_epu64(lo, qe, p.neg_q), p.mask), p.q);
}

// x * y mod q for x_up = x << (52 - L) and y4 = y << 2 (either may be shared between products).
VEIL_IFMA inline __m512i product49(__m512i x, __m512i x_up, __m512i y, __m512i y4, const Product49& p) {
    const __m512i zero = _mm512_setzero_si512();
    return finish49(_mm512_madd52lo_epu64(zero, x, y), _mm512_madd52hi_epu64(zero, x_up, y4), p);
}

VEIL_IFMA void multiply_poly_ifma(const uint64_t* a, const uint64_t* b, uint64_t* out, std::size_t n, uint64_t qv) {
    if (product49_for(qv)) {
        const Product49 p = make_product49(qv);
        for (std::size_t i = 0; i < n; i += 8) {
            const __m512i x = load_once(a + i), y = load_once(b + i);
            _mm512_storeu_si512(out + i, product49(x, _mm512_sllv_epi64(x, p.x_up), y, _mm512_slli_epi64(y, 2), p));
        }
        return;
    }
    const Product52 p = make_product52(qv);
    for (std::size_t i = 0; i < n; i += 8) {
        const __m512i x = load_once(a + i), y = load_once(b + i);
        _mm512_storeu_si512(out + i, product52(x, y, _mm512_sllv_epi64(y, p.up), p));
    }
}

// Both polynomials of a ciphertext times one plaintext component in one pass: b is read once.
VEIL_IFMA void multiply_poly2_ifma(const uint64_t* a0, const uint64_t* a1, const uint64_t* b, uint64_t* out0,
                                   uint64_t* out1, std::size_t n, uint64_t qv) {
    if (product49_for(qv)) {
        const Product49 p = make_product49(qv);
        for (std::size_t i = 0; i < n; i += 8) {
            prefetch_ahead(a0 + i), prefetch_ahead(a1 + i), prefetch_ahead(b + i);
            const __m512i x0 = load_once(a0 + i), x1 = load_once(a1 + i);
            const __m512i y = load_once(b + i), y4 = _mm512_slli_epi64(y, 2);
            _mm512_storeu_si512(out0 + i, product49(x0, _mm512_sllv_epi64(x0, p.x_up), y, y4, p));
            _mm512_storeu_si512(out1 + i, product49(x1, _mm512_sllv_epi64(x1, p.x_up), y, y4, p));
        }
        return;
    }
    const Product52 p = make_product52(qv);
    for (std::size_t i = 0; i < n; i += 8) {
        const __m512i x0 = load_once(a0 + i), x1 = load_once(a1 + i);
        const __m512i y = load_once(b + i), y_up = _mm512_sllv_epi64(y, p.up);
        _mm512_storeu_si512(out0 + i, product52(x0, y, y_up, p));
        _mm512_storeu_si512(out1 + i, product52(x1, y, y_up, p));
    }
}

VEIL_IFMA void tensor_ifma(const uint64_t* a0, const uint64_t* a1, const uint64_t* b0, const uint64_t* b1,
                           uint64_t* c0, uint64_t* c1, uint64_t* c2, std::size_t n, uint64_t qv,
                           bool stream_c2) {
    const __m512i zero = _mm512_setzero_si512();
    if (product49_for(qv)) {
        const Product49 p = make_product49(qv);
        for (std::size_t i = 0; i < n; i += 8) {
            const __m512i x0 = load_once(a0 + i), x1 = load_once(a1 + i);
            const __m512i y0 = load_once(b0 + i), y1 = load_once(b1 + i);
            const __m512i x0_up = _mm512_sllv_epi64(x0, p.x_up), x1_up = _mm512_sllv_epi64(x1, p.x_up);
            const __m512i y0_4 = _mm512_slli_epi64(y0, 2), y1_4 = _mm512_slli_epi64(y1, 2);
            // The middle term: the low 52 bits of the sum, and c as the sum of the two high parts.
            const __m512i lo = _mm512_madd52lo_epu64(_mm512_madd52lo_epu64(zero, x0, y1), x1, y0);
            const __m512i c = _mm512_madd52hi_epu64(_mm512_madd52hi_epu64(zero, x0_up, y1_4), x1_up, y0_4);
            const __m512i first = product49(x0, x0_up, y0, y0_4, p);
            const __m512i last = product49(x1, x1_up, y1, y1_4, p);
            const __m512i qe = _mm512_madd52hi_epu64(zero, c, p.k);
            __m512i mid = _mm512_and_si512(_mm512_madd52lo_epu64(lo, qe, p.neg_q), p.mask);
            mid = sub_if_ge(sub_if_ge(mid, p.two_q), p.q);
            _mm512_storeu_si512(c0 + i, first);
            _mm512_storeu_si512(c1 + i, mid);
            store(c2 + i, last, stream_c2);
        }
        if (stream_c2) _mm_sfence();
        return;
    }
    const Barrett52 c = make_barrett(qv);
    const Product52 p = make_product52(qv);
    for (std::size_t i = 0; i < n; i += 8) {
        const __m512i x0 = load_once(a0 + i), x1 = load_once(a1 + i);
        const __m512i y0 = load_once(b0 + i), y1 = load_once(b1 + i);
        __m512i lo = _mm512_madd52lo_epu64(_mm512_madd52lo_epu64(zero, x0, y1), x1, y0);
        __m512i hi = _mm512_madd52hi_epu64(_mm512_madd52hi_epu64(zero, x0, y1), x1, y0);
        hi = _mm512_add_epi64(hi, _mm512_srli_epi64(lo, 52));
        // The sum of two products keeps the split Barrett; the single products take the cheaper product52.
        const __m512i mid = barrett_reduce(hi, _mm512_and_si512(lo, c.mask), c);
        const __m512i first = product52(x0, y0, _mm512_sllv_epi64(y0, p.up), p);
        const __m512i last = product52(x1, y1, _mm512_sllv_epi64(y1, p.up), p);
        _mm512_storeu_si512(c0 + i, first);
        _mm512_storeu_si512(c1 + i, mid);
        store(c2 + i, last, stream_c2);
    }
    if (stream_c2) _mm_sfence();
}

VEIL_IFMA void dot_product2_ifma(const uint64_t* const* a, const uint32_t* perm, const uint64_t* const* b0,
                                 const uint64_t* const* b1, std::size_t terms, uint64_t* out0, uint64_t* out1,
                                 std::size_t n, uint64_t qv) {
    const bool barrett = terms <= barrett_terms(qv);
    const Barrett52 bc = make_barrett(qv);
    const Ifma52Consts sc = make_consts(qv);
    for (std::size_t i = 0; i < n; i += 8) {
        __m512i lo0 = _mm512_setzero_si512(), hi0 = lo0, lo1 = lo0, hi1 = lo0;
        const __m256i idx = perm ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(perm + i)) : __m256i{};
        for (std::size_t j = 0; j < terms; ++j) {
            const __m512i x = perm ? _mm512_i32gather_epi64(idx, reinterpret_cast<const long long*>(a[j]), 8)
                                   : _mm512_loadu_si512(a[j] + i);
            const __m512i y0 = _mm512_loadu_si512(b0[j] + i), y1 = _mm512_loadu_si512(b1[j] + i);
            lo0 = _mm512_madd52lo_epu64(lo0, x, y0);
            hi0 = _mm512_madd52hi_epu64(hi0, x, y0);
            lo1 = _mm512_madd52lo_epu64(lo1, x, y1);
            hi1 = _mm512_madd52hi_epu64(hi1, x, y1);
        }
        hi0 = _mm512_add_epi64(hi0, _mm512_srli_epi64(lo0, 52));
        hi1 = _mm512_add_epi64(hi1, _mm512_srli_epi64(lo1, 52));
        lo0 = _mm512_and_si512(lo0, bc.mask);
        lo1 = _mm512_and_si512(lo1, bc.mask);
        _mm512_storeu_si512(out0 + i, barrett ? barrett_reduce(hi0, lo0, bc) : reduce_split(hi0, lo0, sc));
        _mm512_storeu_si512(out1 + i, barrett ? barrett_reduce(hi1, lo1, bc) : reduce_split(hi1, lo1, sc));
    }
}

VEIL_IFMA void reduce_sub_ifma(const uint64_t* a, uint64_t sub, uint64_t* out, std::size_t n, uint64_t qv) {
    const Ifma52Consts c = make_consts(qv);
    const __m512i mask = _mm512_set1_epi64(int64_t(kMask52)), q_minus_sub = _mm512_set1_epi64(int64_t(qv - sub));
    for (std::size_t i = 0; i < n; i += 8) {
        const __m512i x = _mm512_loadu_si512(a + i);
        const __m512i r = reduce_split(_mm512_srli_epi64(x, 52), _mm512_and_si512(x, mask), c);
        _mm512_storeu_si512(out + i, sub_if_ge(_mm512_add_epi64(r, q_minus_sub), c.q));
    }
}

// Signed words: the magnitude reduced as above, then negated where the word is negative and the residue nonzero.
VEIL_IFMA inline __m512i negate_where(__m512i r, __m512i x, __m512i q) {
    const __mmask8 neg = _mm512_movepi64_mask(x) & _mm512_test_epi64_mask(r, r);
    return _mm512_mask_sub_epi64(r, neg, q, r);
}

VEIL_IFMA void reduce_signed_ifma(const int64_t* a, uint64_t* out, std::size_t n, uint64_t qv) {
    const Ifma52Consts c = make_consts(qv);
    const __m512i mask = _mm512_set1_epi64(int64_t(kMask52));
    for (std::size_t i = 0; i < n; i += 8) {
        const __m512i x = _mm512_loadu_si512(a + i), m = _mm512_abs_epi64(x);
        // Magnitudes below 2^52 (the usual encodings) need one Shoup product by 1, larger ones the split.
        const __m512i r = _mm512_test_epi64_mask(m, _mm512_set1_epi64(~int64_t(kMask52)))
                              ? reduce_split(_mm512_srli_epi64(m, 52), _mm512_and_si512(m, mask), c)
                              : sub_if_ge(shoup52_mul(m, c.one_w, c.one_wq, c.q), c.q);
        _mm512_storeu_si512(out + i, negate_where(r, x, c.q));
    }
}

VEIL_IFMA void sub_multiply_scalar_ifma(const uint64_t* a, const uint64_t* b, uint64_t w, uint64_t* out,
                                        std::size_t n, uint64_t qv) {
    const __m512i q = _mm512_set1_epi64(int64_t(qv)), wv = _mm512_set1_epi64(int64_t(w)),
                  wq = _mm512_set1_epi64(int64_t(shoup52(w, qv)));
    for (std::size_t i = 0; i < n; i += 8) {
        const __m512i d = _mm512_sub_epi64(_mm512_add_epi64(_mm512_loadu_si512(a + i), q), _mm512_loadu_si512(b + i));
        _mm512_storeu_si512(out + i, sub_if_ge(shoup52_mul(d, wv, wq, q), q));
    }
}

// Primes of 50 bits and more (SEAL's usual 60-bit primes): 64-bit lanes with mul_hi64.

// x mod q for any 64-bit x: Barrett with floor(2^64 / q) leaves x - quot * q in [0, 2q).
VEIL_IFMA void reduce_sub_wide(const uint64_t* a, uint64_t sub, uint64_t* out, std::size_t n, const Modulus& m) {
    const __m512i q = _mm512_set1_epi64(int64_t(m.value())), ratio = _mm512_set1_epi64(int64_t(m.ratio_hi()));
    const __m512i q_minus_sub = _mm512_set1_epi64(int64_t(m.value() - sub));
    for (std::size_t i = 0; i < n; i += 8) {
        const __m512i x = _mm512_loadu_si512(a + i);
        __m512i r = _mm512_sub_epi64(x, _mm512_mullo_epi64(mul_hi64(x, ratio), q));
        r = sub_if_ge(r, q);
        _mm512_storeu_si512(out + i, sub_if_ge(_mm512_add_epi64(r, q_minus_sub), q));
    }
}

VEIL_IFMA void reduce_signed_wide(const int64_t* a, uint64_t* out, std::size_t n, const Modulus& m) {
    const __m512i q = _mm512_set1_epi64(int64_t(m.value())), ratio = _mm512_set1_epi64(int64_t(m.ratio_hi()));
    for (std::size_t i = 0; i < n; i += 8) {
        const __m512i x = _mm512_loadu_si512(a + i), mag = _mm512_abs_epi64(x);
        const __m512i r = sub_if_ge(_mm512_sub_epi64(mag, _mm512_mullo_epi64(mul_hi64(mag, ratio), q)), q);
        _mm512_storeu_si512(out + i, negate_where(r, x, q));
    }
}

// (a - b) * w mod q with the 64-bit Shoup quotient of w (q < 2^62 so that a + q - b fits).
VEIL_IFMA void sub_multiply_scalar_wide(const uint64_t* a, const uint64_t* b, const MulOperand& w, uint64_t* out,
                                        std::size_t n, uint64_t qv) {
    const __m512i q = _mm512_set1_epi64(int64_t(qv)), wv = _mm512_set1_epi64(int64_t(w.operand)),
                  wq = _mm512_set1_epi64(int64_t(w.quotient));
    for (std::size_t i = 0; i < n; i += 8) {
        const __m512i d = _mm512_sub_epi64(_mm512_add_epi64(_mm512_loadu_si512(a + i), q), _mm512_loadu_si512(b + i));
        const __m512i r = _mm512_sub_epi64(_mm512_mullo_epi64(d, wv), _mm512_mullo_epi64(mul_hi64(d, wq), q));
        _mm512_storeu_si512(out + i, sub_if_ge(r, q));
    }
}

// Barrett reduction of a 128-bit P = hi * 2^64 + lo below 2^(s + 64), s = L - 1 for an L-bit prime q
// (50 <= L <= 61), with k = floor(2^(s + 64) / q) < 2^64: as barrett_reduce in 64-bit lanes, the estimate
// is at most 2 below the quotient and the remainder (below 3q) is exact in the low word.
struct Barrett64 {
    __m512i q, two_q, k;
    __m128i s, s_up;  // s and 64 - s
};

VEIL_IFMA Barrett64 make_barrett64(uint64_t qv) {
    const int s = 63 - __builtin_clzll(qv);
    Barrett64 b;
    b.q = _mm512_set1_epi64(int64_t(qv));
    b.two_q = _mm512_set1_epi64(int64_t(2 * qv));
    b.k = _mm512_set1_epi64(int64_t(uint64_t((u128(1) << (s + 64)) / qv)));
    b.s = _mm_cvtsi32_si128(s);
    b.s_up = _mm_cvtsi32_si128(64 - s);
    return b;
}

VEIL_IFMA inline __m512i barrett64_reduce(__m512i hi, __m512i lo, const Barrett64& b) {
    const __m512i c1 = _mm512_or_si512(_mm512_sll_epi64(hi, b.s_up), _mm512_srl_epi64(lo, b.s));
    const __m512i qe = mul_hi64(c1, b.k);
    __m512i r = _mm512_sub_epi64(lo, _mm512_mullo_epi64(qe, b.q));
    r = sub_if_ge(r, b.two_q);
    return sub_if_ge(r, b.q);
}

// The full 128-bit products of 64-bit lanes from four 32x32-bit multiplies; the low half is assembled from
// the same partial products (a separate 64-bit low multiply is three more µops). yh holds y's high halves.
VEIL_IFMA inline void mul_wide64(__m512i x, __m512i y, __m512i yh, __m512i& hi, __m512i& lo) {
    const __m512i lo32 = _mm512_set1_epi64(0xFFFFFFFFLL);
    const __m512i xh = _mm512_shuffle_epi32(x, _MM_PERM_CDAB);
    const __m512i ll = _mm512_mul_epu32(x, y), lh = _mm512_mul_epu32(x, yh);
    const __m512i hl = _mm512_mul_epu32(xh, y), hh = _mm512_mul_epu32(xh, yh);
    const __m512i t = _mm512_add_epi64(_mm512_srli_epi64(ll, 32), lh);
    const __m512i u = _mm512_add_epi64(_mm512_and_si512(t, lo32), hl);
    hi = _mm512_add_epi64(_mm512_add_epi64(hh, _mm512_srli_epi64(t, 32)), _mm512_srli_epi64(u, 32));
    lo = _mm512_ternarylogic_epi64(_mm512_slli_epi64(u, 32), ll, lo32, 0xF8);  // (u << 32) | (ll & lo32)
}

VEIL_IFMA inline __m512i high_halves(__m512i y) { return _mm512_shuffle_epi32(y, _MM_PERM_CDAB); }

// barrett64_reduce with a cheaper quotient: hi64(c1 * k) estimated from three of the four 32x32-bit
// products without the carries out of the low half (at most 2 below the exact value), so the quotient is at
// most 4 below, the remainder below 5q (below 2^64 for q < 2^61), and three conditional subtractions
// finish it.
struct Barrett64Lazy {
    Barrett64 b;
    __m512i four_q, k_hi;  // k_hi: the high half of k in each lane's low 32 bits
};

VEIL_IFMA Barrett64Lazy make_barrett64_lazy(uint64_t qv) {
    Barrett64Lazy l;
    l.b = make_barrett64(qv);
    l.four_q = _mm512_set1_epi64(int64_t(4 * qv));
    l.k_hi = _mm512_srli_epi64(l.b.k, 32);
    return l;
}

VEIL_IFMA inline __m512i barrett64_reduce_lazy(__m512i hi, __m512i lo, const Barrett64Lazy& l) {
    const __m512i c1 = _mm512_or_si512(_mm512_sll_epi64(hi, l.b.s_up), _mm512_srl_epi64(lo, l.b.s));
    const __m512i c1h = high_halves(c1);
    const __m512i mid = _mm512_add_epi64(_mm512_srli_epi64(_mm512_mul_epu32(c1, l.k_hi), 32),
                                         _mm512_srli_epi64(_mm512_mul_epu32(c1h, l.b.k), 32));
    const __m512i qe = _mm512_add_epi64(_mm512_mul_epu32(c1h, l.k_hi), mid);
    __m512i r = _mm512_sub_epi64(lo, _mm512_mullo_epi64(qe, l.b.q));
    r = sub_if_ge(r, l.four_q);
    r = sub_if_ge(r, l.b.two_q);
    return sub_if_ge(r, l.b.q);
}

// x * y mod q in 64-bit lanes, yh = high_halves(y).
VEIL_IFMA inline __m512i product64(__m512i x, __m512i y, __m512i yh, const Barrett64Lazy& l) {
    __m512i hi, lo;
    mul_wide64(x, y, yh, hi, lo);
    return barrett64_reduce_lazy(hi, lo, l);
}

VEIL_IFMA void multiply_poly_wide(const uint64_t* a, const uint64_t* b, uint64_t* out, std::size_t n, uint64_t qv) {
    const Barrett64Lazy l = make_barrett64_lazy(qv);
    for (std::size_t i = 0; i < n; i += 8) {
        const __m512i x = load_once(a + i), y = load_once(b + i);
        _mm512_storeu_si512(out + i, product64(x, y, high_halves(y), l));
    }
}

VEIL_IFMA void multiply_poly2_wide(const uint64_t* a0, const uint64_t* a1, const uint64_t* b, uint64_t* out0,
                                   uint64_t* out1, std::size_t n, uint64_t qv) {
    const Barrett64Lazy l = make_barrett64_lazy(qv);
    for (std::size_t i = 0; i < n; i += 8) {
        prefetch_ahead(a0 + i), prefetch_ahead(a1 + i), prefetch_ahead(b + i);
        const __m512i x0 = load_once(a0 + i), x1 = load_once(a1 + i), y = load_once(b + i);
        const __m512i yh = high_halves(y);
        _mm512_storeu_si512(out0 + i, product64(x0, y, yh, l));
        _mm512_storeu_si512(out1 + i, product64(x1, y, yh, l));
    }
}

VEIL_IFMA void tensor_wide(const uint64_t* a0, const uint64_t* a1, const uint64_t* b0, const uint64_t* b1,
                           uint64_t* c0, uint64_t* c1, uint64_t* c2, std::size_t n, uint64_t qv,
                           bool stream_c2) {
    const Barrett64Lazy l = make_barrett64_lazy(qv);
    const __m512i one = _mm512_set1_epi64(1);
    for (std::size_t i = 0; i < n; i += 8) {
        const __m512i x0 = load_once(a0 + i), x1 = load_once(a1 + i);
        const __m512i y0 = load_once(b0 + i), y1 = load_once(b1 + i);
        const __m512i y0h = high_halves(y0), y1h = high_halves(y1);
        __m512i hi1, lo1, hi2, lo2;
        mul_wide64(x0, y1, y1h, hi1, lo1);
        mul_wide64(x1, y0, y0h, hi2, lo2);
        const __m512i lo = _mm512_add_epi64(lo1, lo2);
        const __mmask8 carry = _mm512_cmplt_epu64_mask(lo, lo1);
        const __m512i hi_sum = _mm512_add_epi64(hi1, hi2);
        const __m512i hi = _mm512_mask_add_epi64(hi_sum, carry, hi_sum, one);
        const __m512i first = product64(x0, y0, y0h, l);
        const __m512i last = product64(x1, y1, y1h, l);
        _mm512_storeu_si512(c0 + i, first);
        _mm512_storeu_si512(c1 + i, barrett64_reduce_lazy(hi, lo, l));
        store(c2 + i, last, stream_c2);
    }
    if (stream_c2) _mm_sfence();
}

// Key-switch inner products for primes of 2^50 to 2^61: 128-bit sums in pairs of 64-bit lanes. Each product is
// below 2^(2s+2) for q in [2^s, 2^(s+1)), so 2^(62-s) of them stay below Barrett64's 2^(s+64) bound; longer
// sums are reduced chunk by chunk and added mod q.
VEIL_IFMA void dot_product2_wide(const uint64_t* const* a, const uint32_t* perm, const uint64_t* const* b0,
                                 const uint64_t* const* b1, std::size_t terms, uint64_t* out0, uint64_t* out1,
                                 std::size_t n, uint64_t qv) {
    const Barrett64 c = make_barrett64(qv);
    const std::size_t chunk = std::size_t(1) << (62 - (63 - __builtin_clzll(qv)));
    const __m512i one = _mm512_set1_epi64(1), zero = _mm512_setzero_si512();
    for (std::size_t i = 0; i < n; i += 8) {
        const __m256i idx = perm ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(perm + i)) : __m256i{};
        __m512i r0 = zero, r1 = zero;
        for (std::size_t first = 0; first < terms; first += chunk) {
            __m512i lo0 = zero, hi0 = zero, lo1 = zero, hi1 = zero;
            for (std::size_t j = first; j < std::min(terms, first + chunk); ++j) {
                const __m512i x = perm ? _mm512_i32gather_epi64(idx, reinterpret_cast<const long long*>(a[j]), 8)
                                       : _mm512_loadu_si512(a[j] + i);
                const __m512i y0 = _mm512_loadu_si512(b0[j] + i), y1 = _mm512_loadu_si512(b1[j] + i);
                const __m512i p0 = _mm512_mullo_epi64(x, y0), p1 = _mm512_mullo_epi64(x, y1);
                lo0 = _mm512_add_epi64(lo0, p0);
                lo1 = _mm512_add_epi64(lo1, p1);
                hi0 = _mm512_add_epi64(hi0, mul_hi64(x, y0));
                hi1 = _mm512_add_epi64(hi1, mul_hi64(x, y1));
                hi0 = _mm512_mask_add_epi64(hi0, _mm512_cmplt_epu64_mask(lo0, p0), hi0, one); // carries
                hi1 = _mm512_mask_add_epi64(hi1, _mm512_cmplt_epu64_mask(lo1, p1), hi1, one);
            }
            r0 = sub_if_ge(_mm512_add_epi64(r0, barrett64_reduce(hi0, lo0, c)), c.q);
            r1 = sub_if_ge(_mm512_add_epi64(r1, barrett64_reduce(hi1, lo1, c)), c.q);
        }
        _mm512_storeu_si512(out0 + i, r0);
        _mm512_storeu_si512(out1 + i, r1);
    }
}

VEIL_IFMA void add_poly_avx512(const uint64_t* a, const uint64_t* b, uint64_t* out, std::size_t n, uint64_t qv) {
    const __m512i q = _mm512_set1_epi64(int64_t(qv));
    for (std::size_t i = 0; i < n; i += 8)
        _mm512_storeu_si512(out + i, sub_if_ge(_mm512_add_epi64(_mm512_loadu_si512(a + i), _mm512_loadu_si512(b + i)), q));
}

VEIL_IFMA void add_scalar_avx512(const uint64_t* a, uint64_t cv, uint64_t* out, std::size_t n, uint64_t qv) {
    const __m512i q = _mm512_set1_epi64(int64_t(qv)), c = _mm512_set1_epi64(int64_t(cv));
    for (std::size_t i = 0; i < n; i += 8)
        _mm512_storeu_si512(out + i, sub_if_ge(_mm512_add_epi64(_mm512_loadu_si512(a + i), c), q));
}

VEIL_IFMA void sub_poly_avx512(const uint64_t* a, const uint64_t* b, uint64_t* out, std::size_t n, uint64_t qv) {
    const __m512i q = _mm512_set1_epi64(int64_t(qv));
    for (std::size_t i = 0; i < n; i += 8) {
        const __m512i d = _mm512_sub_epi64(_mm512_loadu_si512(a + i), _mm512_loadu_si512(b + i));
        _mm512_storeu_si512(out + i, _mm512_min_epu64(d, _mm512_add_epi64(d, q)));
    }
}

VEIL_IFMA void negate_poly_avx512(const uint64_t* a, uint64_t* out, std::size_t n, uint64_t qv) {
    const __m512i q = _mm512_set1_epi64(int64_t(qv));
    for (std::size_t i = 0; i < n; i += 8) {
        const __m512i x = _mm512_loadu_si512(a + i);
        const __mmask8 nonzero = _mm512_test_epi64_mask(x, x);
        _mm512_storeu_si512(out + i, _mm512_maskz_sub_epi64(nonzero, q, x));
    }
}

bool ifma_for(uint64_t q, std::size_t n) { return q < kIfmaPrimeBound && n % 8 == 0 && use_ifma(); }
// The additive kernels need no multiplier: any q below 2^63 (so that a + b cannot wrap).
bool avx512_for(uint64_t q, std::size_t n) { return q < (uint64_t(1) << 62) && n % 8 == 0 && use_ifma(); }
// Products of primes from 2^50 to 2^61 in 64-bit lanes.
bool wide_for(uint64_t q, std::size_t n) { return q >= kIfmaPrimeBound && q < (uint64_t(1) << 61) && avx512_for(q, n); }

}  // namespace

void add_poly(const uint64_t* a, const uint64_t* b, uint64_t* out, std::size_t n, uint64_t q) {
    if (avx512_for(q, n)) return add_poly_avx512(a, b, out, n, q);
    for (std::size_t i = 0; i < n; ++i) {
        uint64_t s = a[i] + b[i];
        out[i] = s - ((s >= q) ? q : 0);
    }
}

void sub_poly(const uint64_t* a, const uint64_t* b, uint64_t* out, std::size_t n, uint64_t q) {
    if (avx512_for(q, n)) return sub_poly_avx512(a, b, out, n, q);
    for (std::size_t i = 0; i < n; ++i) {
        uint64_t d = a[i] - b[i];
        out[i] = d + ((a[i] < b[i]) ? q : 0);
    }
}

void negate_poly(const uint64_t* a, uint64_t* out, std::size_t n, uint64_t q) {
    if (avx512_for(q, n)) return negate_poly_avx512(a, out, n, q);
    for (std::size_t i = 0; i < n; ++i) out[i] = a[i] ? q - a[i] : 0;
}

void add_scalar_poly(const uint64_t* a, uint64_t c, uint64_t* out, std::size_t n, uint64_t q) {
    if (avx512_for(q, n)) return add_scalar_avx512(a, c, out, n, q);
    for (std::size_t i = 0; i < n; ++i) out[i] = add_mod(a[i], c, q);
}

void reduce_sub_poly(const uint64_t* a, uint64_t sub, uint64_t* out, std::size_t n, const Modulus& q) {
    if (ifma_for(q.value(), n)) return reduce_sub_ifma(a, sub, out, n, q.value());
    if (avx512_for(q.value(), n)) return reduce_sub_wide(a, sub, out, n, q);
    for (std::size_t i = 0; i < n; ++i) out[i] = sub_mod(q.reduce(a[i]), sub, q.value());
}

void reduce_signed_poly(const int64_t* a, uint64_t* out, std::size_t n, const Modulus& q) {
    if (ifma_for(q.value(), n)) return reduce_signed_ifma(a, out, n, q.value());
    if (avx512_for(q.value(), n)) return reduce_signed_wide(a, out, n, q);
    for (std::size_t i = 0; i < n; ++i) {
        const uint64_t mag = a[i] < 0 ? uint64_t(0) - uint64_t(a[i]) : uint64_t(a[i]);
        const uint64_t r = q.reduce(mag);
        out[i] = a[i] < 0 ? neg_mod(r, q.value()) : r;
    }
}

void sub_multiply_scalar_poly(const uint64_t* a, const uint64_t* b, const MulOperand& w, uint64_t* out,
                              std::size_t n, uint64_t q) {
    if (ifma_for(q, n)) return sub_multiply_scalar_ifma(a, b, w.operand, out, n, q);
    if (avx512_for(q, n)) return sub_multiply_scalar_wide(a, b, w, out, n, q);
    for (std::size_t i = 0; i < n; ++i) out[i] = mul_shoup(sub_mod(a[i], b[i], q), w, q);
}

void tensor_poly(const uint64_t* a0, const uint64_t* a1, const uint64_t* b0, const uint64_t* b1, uint64_t* c0,
                 uint64_t* c1, uint64_t* c2, std::size_t n, const Modulus& q, bool stream_c2) {
    const bool stream = stream_c2 && reinterpret_cast<std::uintptr_t>(c2) % 64 == 0;
    if (ifma_for(q.value(), n)) return tensor_ifma(a0, a1, b0, b1, c0, c1, c2, n, q.value(), stream);
    if (wide_for(q.value(), n)) return tensor_wide(a0, a1, b0, b1, c0, c1, c2, n, q.value(), stream);
    for (std::size_t i = 0; i < n; ++i) {
        const uint64_t x0 = a0[i], x1 = a1[i], y0 = b0[i], y1 = b1[i];
        c0[i] = q.reduce(u128(x0) * y0);
        c1[i] = q.reduce(u128(x0) * y1 + u128(x1) * y0);
        c2[i] = q.reduce(u128(x1) * y1);
    }
}

void dot_product2_poly(const uint64_t* const* a, const uint32_t* perm, const uint64_t* const* b0,
                       const uint64_t* const* b1, std::size_t terms, uint64_t* out0, uint64_t* out1, std::size_t n,
                       const Modulus& q) {
    // 64 products of values below 2^61 stay below 2^128; 64 split IFMA products keep hi below 2^55.
    require(terms <= 64, "too many products for one lazy accumulation");
    if (ifma_for(q.value(), n)) return dot_product2_ifma(a, perm, b0, b1, terms, out0, out1, n, q.value());
    if (wide_for(q.value(), n)) return dot_product2_wide(a, perm, b0, b1, terms, out0, out1, n, q.value());
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t src = perm ? perm[i] : i;
        u128 s0 = 0, s1 = 0;
        for (std::size_t j = 0; j < terms; ++j) {
            s0 += u128(a[j][src]) * b0[j][i];
            s1 += u128(a[j][src]) * b1[j][i];
        }
        out0[i] = q.reduce(s0);
        out1[i] = q.reduce(s1);
    }
}

void multiply_poly(const uint64_t* a, const uint64_t* b, uint64_t* out, std::size_t n, const Modulus& q) {
    if (ifma_for(q.value(), n)) {
        multiply_poly_ifma(a, b, out, n, q.value());
        return;
    }
    if (wide_for(q.value(), n)) return multiply_poly_wide(a, b, out, n, q.value());
    for (std::size_t i = 0; i < n; ++i) out[i] = q.reduce(u128(a[i]) * b[i]);
}

void multiply_poly2(const uint64_t* a0, const uint64_t* a1, const uint64_t* b, uint64_t* out0, uint64_t* out1,
                    std::size_t n, const Modulus& q) {
    if (ifma_for(q.value(), n)) return multiply_poly2_ifma(a0, a1, b, out0, out1, n, q.value());
    if (wide_for(q.value(), n)) return multiply_poly2_wide(a0, a1, b, out0, out1, n, q.value());
    multiply_poly(a0, b, out0, n, q);
    multiply_poly(a1, b, out1, n, q);
}

void MulAccumulator::reset() {
    std::fill(lo_.begin(), lo_.end(), 0);
    std::fill(hi_.begin(), hi_.end(), 0);
    terms_ = 0;
}

void MulAccumulator::add(const uint64_t* a, const uint64_t* b, const Modulus& q) {
    add_permuted(a, nullptr, b, q);
}

void MulAccumulator::add_permuted(const uint64_t* a, const uint32_t* perm, const uint64_t* b, const Modulus& q) {
    // 64 products of 60-bit values stay below 2^126; 64 split IFMA products keep hi below 2^55.
    require(terms_ < 64, "too many products for one lazy accumulation");
    if (terms_ == 0) ifma_ = ifma_for(q.value(), n_);
    ++terms_;
    if (ifma_) {
        accumulate_ifma(lo_.data(), hi_.data(), a, perm, b, n_);
        return;
    }
    for (std::size_t i = 0; i < n_; ++i) {
        u128 p = u128(perm ? a[perm[i]] : a[i]) * b[i];
        u128 s = (u128(hi_[i]) << 64 | lo_[i]) + p;
        lo_[i] = uint64_t(s);
        hi_[i] = uint64_t(s >> 64);
    }
}

void MulAccumulator::finish(uint64_t* out, const Modulus& q) const {
    if (terms_ && ifma_) {
        finish_ifma(lo_.data(), hi_.data(), out, n_, q.value());
        return;
    }
    for (std::size_t i = 0; i < n_; ++i) out[i] = q.reduce(u128(hi_[i]) << 64 | lo_[i]);
}

}  // namespace veil::he::util
