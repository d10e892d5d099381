// AVX-512 building blocks shared by the NTT (ntt.cpp) and the coefficient-wise kernels (polyarith.cpp).
// Every function carries its own target attribute; callers run them only when use_ifma() is true.
#pragma once

#include <immintrin.h>

#define VEIL_IFMA __attribute__((target("avx512f,avx512vl,avx512dq,avx512ifma")))

namespace veil::he::util::avx512 {

// High 64 bits of the 64x64-bit products, from four 32x32-bit multiplies (AVX-512 has no 64-bit mulhi).
// The high halves reach the multiplier by swapping the 32-bit halves of each lane (a shuffle, which runs
// beside the multiplies, where a shift would compete with them); the partial sums carry at most 2^33.
VEIL_IFMA inline __m512i mul_hi64(__m512i x, __m512i y) {
    const __m512i lo32 = _mm512_set1_epi64(0xFFFFFFFFLL);
    const __m512i xh = _mm512_shuffle_epi32(x, _MM_PERM_CDAB), yh = _mm512_shuffle_epi32(y, _MM_PERM_CDAB);
    const __m512i ll = _mm512_mul_epu32(x, y), lh = _mm512_mul_epu32(x, yh);
    const __m512i hl = _mm512_mul_epu32(xh, y), hh = _mm512_mul_epu32(xh, yh);
    // ll / 2^32 + lh < 2^64; its low half plus hl < 2^64; the carries are the high halves.
    const __m512i t = _mm512_add_epi64(_mm512_srli_epi64(ll, 32), lh);
    const __m512i u = _mm512_add_epi64(_mm512_and_si512(t, lo32), hl);
    return _mm512_add_epi64(_mm512_add_epi64(hh, _mm512_srli_epi64(t, 32)), _mm512_srli_epi64(u, 32));
}

// x - m where x >= m (unsigned): min(x, x - m), since x - m wraps to a huge value when x < m.
VEIL_IFMA inline __m512i sub_if_ge(__m512i x, __m512i m) { return _mm512_min_epu64(x, _mm512_sub_epi64(x, m)); }

// One load that stays one: the empty asm makes the value opaque, so GCC cannot fold the load into each
// instruction that uses it (it does so under register pressure, and the repeated reads then compete for
// the load ports in loops that stream from L2).
VEIL_IFMA inline __m512i load_once(const uint64_t* p) {
    __m512i v = _mm512_loadu_si512(p);
    asm("" : "+v"(v));
    return v;
}

// Asks for the cache line 2 KiB ahead of p in L1: the streaming kernels read several arrays at once
// (the two polynomials of a ciphertext and a plaintext), more than the L1 streamer keeps up with from L2.
inline void prefetch_ahead(const uint64_t* p) { _mm_prefetch(reinterpret_cast<const char*>(p + 256), _MM_HINT_T0); }

}  // namespace veil::he::util::avx512
