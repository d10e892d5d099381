// AVX-512 building blocks shared by the NTT (ntt.cpp) and the coefficient-wise kernels (polyarith.cpp).
// Every function carries its own target attribute; callers run them only when use_ifma() is true.
#pragma once

#include <immintrin.h>

#define VEIL_IFMA __attribute__((target("avx512f,avx512vl,avx512dq,avx512ifma")))

namespace veil::he::util::avx512 {

// High 64 bits of the 64x64-bit products, from four 32x32-bit multiplies (AVX-512 has no 64-bit mulhi).
VEIL_IFMA inline __m512i mul_hi64(__m512i x, __m512i y) {
    const __m512i lo32 = _mm512_set1_epi64(0xFFFFFFFFLL);
    const __m512i xh = _mm512_srli_epi64(x, 32), yh = _mm512_srli_epi64(y, 32);
    const __m512i ll = _mm512_mul_epu32(x, y), lh = _mm512_mul_epu32(x, yh);
    const __m512i hl = _mm512_mul_epu32(xh, y), hh = _mm512_mul_epu32(xh, yh);
    __m512i mid = _mm512_add_epi64(_mm512_srli_epi64(ll, 32), _mm512_and_si512(lh, lo32));
    mid = _mm512_add_epi64(mid, _mm512_and_si512(hl, lo32));
    __m512i hi = _mm512_add_epi64(hh, _mm512_srli_epi64(lh, 32));
    hi = _mm512_add_epi64(hi, _mm512_srli_epi64(hl, 32));
    return _mm512_add_epi64(hi, _mm512_srli_epi64(mid, 32));
}

// x - m where x >= m (unsigned): min(x, x - m), since x - m wraps to a huge value when x < m.
VEIL_IFMA inline __m512i sub_if_ge(__m512i x, __m512i m) { return _mm512_min_epu64(x, _mm512_sub_epi64(x, m)); }

}  // namespace veil::he::util::avx512
