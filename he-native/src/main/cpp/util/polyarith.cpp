#include "util/polyarith.h"

#include <immintrin.h>

#include <algorithm>

#include "he/error.h"
#include "util/simd.h"

namespace veil::he::util {

void add_poly(const uint64_t* a, const uint64_t* b, uint64_t* out, std::size_t n, uint64_t q) {
    for (std::size_t i = 0; i < n; ++i) {
        uint64_t s = a[i] + b[i];
        out[i] = s - ((s >= q) ? q : 0);
    }
}

void sub_poly(const uint64_t* a, const uint64_t* b, uint64_t* out, std::size_t n, uint64_t q) {
    for (std::size_t i = 0; i < n; ++i) {
        uint64_t d = a[i] - b[i];
        out[i] = d + ((a[i] < b[i]) ? q : 0);
    }
}

void negate_poly(const uint64_t* a, uint64_t* out, std::size_t n, uint64_t q) {
    for (std::size_t i = 0; i < n; ++i) out[i] = a[i] ? q - a[i] : 0;
}

void multiply_poly_scalar(const uint64_t* a, const MulOperand& w, uint64_t* out, std::size_t n, uint64_t q) {
    for (std::size_t i = 0; i < n; ++i) out[i] = mul_shoup(a[i], w, q);
}

void reduce_poly(const uint64_t* a, uint64_t* out, std::size_t n, const Modulus& q) {
    for (std::size_t i = 0; i < n; ++i) out[i] = q.reduce(a[i]);
}

// ---------------------------------------------------------------------------------------------
// IFMA kernels. A product of two values below 2^50 is split by the 52-bit multiply-add into
// hi * 2^52 + lo; sums of such splits are reduced with precomputed 2^52 mod q and 2^55 mod q.

#define VEIL_IFMA __attribute__((target("avx512f,avx512vl,avx512dq,avx512ifma")))

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

VEIL_IFMA inline __m512i sub_if_ge(__m512i x, __m512i m) { return _mm512_min_epu64(x, _mm512_sub_epi64(x, m)); }

// (hi * 2^52 + lo) mod q for hi < 2^55 and lo < 2^52.
VEIL_IFMA inline __m512i reduce_split(__m512i hi, __m512i lo, const Ifma52Consts& c) {
    __m512i t = shoup52_mul(_mm512_srli_epi64(hi, 3), c.w55, c.w55q, c.q);
    t = _mm512_add_epi64(t, shoup52_mul(_mm512_and_si512(hi, _mm512_set1_epi64(7)), c.w52, c.w52q, c.q));
    t = _mm512_add_epi64(t, shoup52_mul(lo, c.one_w, c.one_wq, c.q));  // now in [0, 6q)
    t = sub_if_ge(t, c.four_q);
    t = sub_if_ge(t, c.two_q);
    return sub_if_ge(t, c.q);
}

VEIL_IFMA void multiply_poly_ifma(const uint64_t* a, const uint64_t* b, uint64_t* out, std::size_t n, uint64_t qv) {
    const Ifma52Consts c = make_consts(qv);
    const __m512i zero = _mm512_setzero_si512();
    for (std::size_t i = 0; i < n; i += 8) {
        __m512i x = _mm512_loadu_si512(a + i), y = _mm512_loadu_si512(b + i);
        __m512i lo = _mm512_madd52lo_epu64(zero, x, y);
        __m512i hi = _mm512_madd52hi_epu64(zero, x, y);
        _mm512_storeu_si512(out + i, reduce_split(hi, lo, c));
    }
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

bool ifma_for(uint64_t q, std::size_t n) { return q < kIfmaPrimeBound && n % 8 == 0 && use_ifma(); }

}  // namespace

void multiply_poly(const uint64_t* a, const uint64_t* b, uint64_t* out, std::size_t n, const Modulus& q) {
    if (ifma_for(q.value(), n)) {
        multiply_poly_ifma(a, b, out, n, q.value());
        return;
    }
    for (std::size_t i = 0; i < n; ++i) out[i] = q.reduce(u128(a[i]) * b[i]);
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
