#include "util/ntt.h"

#include <algorithm>
#include <cstring>

#include "he/error.h"
#include "util/avx512.h"
#include "util/numth.h"
#include "util/simd.h"

namespace veil::he::util {
namespace {

// Shoup quotient of w for the vector kernels. Below 2^50: floor(w 2^52 / q) for the 52-bit IFMA lanes.
// Wider primes: Q = floor(w 2^64 / q) as its high 32 bits (for a 32x32 multiply) and both halves shifted
// left by 20, so a 52-bit high multiply-add of a 32-bit value x gives floor(x * half / 2^32).
void vector_quotient(uint64_t w, uint64_t q, uint64_t out[3]) {
    if (q < kIfmaPrimeBound) {
        out[0] = uint64_t((u128(w) << 52) / q);
        out[1] = out[2] = 0;
        return;
    }
    const uint64_t quotient = uint64_t((u128(w) << 64) / q);
    out[0] = quotient >> 32;
    out[1] = (quotient >> 32) << 20;
    out[2] = (quotient & 0xFFFFFFFFu) << 20;
}

// Lane layouts of a 16-value chunk held in two vectors x, y for the stages of span 8, 4, 2, 1: lane l of
// x holds value x[l] of the chunk, its butterfly partner (x[l] + span) sits in lane l of y. Layout 0 is
// the natural order. The others put the stage's twiddles (group = value / (2 span)) in a pattern one
// load fetches from the bit-reversed table: span 4 [0 1 0 1 ...] (128-bit broadcast), span 2
// [0 1 2 3 0 1 2 3] (256-bit broadcast), span 1 [0 .. 7].
struct ChunkLayout {
    int span;
    int x[8];
};
constexpr ChunkLayout kChunkLayouts[4] = {{8, {0, 1, 2, 3, 4, 5, 6, 7}},
                                          {4, {0, 8, 1, 9, 2, 10, 3, 11}},
                                          {2, {0, 4, 8, 12, 1, 5, 9, 13}},
                                          {1, {0, 2, 4, 6, 8, 10, 12, 14}}};

// _mm512_permutex2var_epi64 indices (new x, then new y) taking layout `from` to layout `to`.
void chunk_route(int from, int to, int64_t* out) {
    const ChunkLayout &f = kChunkLayouts[from], &t = kChunkLayouts[to];
    for (int half = 0; half < 2; ++half)
        for (int l = 0; l < 8; ++l)
            for (int j = 0; j < 8; ++j) {
                const int value = t.x[l] + half * t.span;
                if (f.x[j] == value) out[8 * half + l] = j;
                if (f.x[j] + f.span == value) out[8 * half + l] = 8 + j;
            }
}

// The four routes of a chunk pass: forward 0 -> 1 -> 2 -> 3 -> 0, inverse 0 -> 3 -> 2 -> 1 -> 0.
const int64_t* chunk_routes(bool inverse) {
    struct Routes {
        alignas(64) int64_t idx[2][64];
        Routes() {
            const int fwd[5] = {0, 1, 2, 3, 0}, inv[5] = {0, 3, 2, 1, 0};
            for (int s = 0; s < 4; ++s) {
                chunk_route(fwd[s], fwd[s + 1], idx[0] + 16 * s);
                chunk_route(inv[s], inv[s + 1], idx[1] + 16 * s);
            }
        }
    };
    static const Routes routes;
    return routes.idx[inverse ? 1 : 0];
}

// Values per block of the cache-blocked passes: 32 KiB, inside the L1 data cache with the twiddles.
constexpr std::size_t kNttBlock = 4096;

}  // namespace

NttTables::NttTables(int log_n, const Modulus& q) : log_n_(log_n), q_(q) {
    require(log_n >= 1 && log_n <= 17, "poly_modulus_degree out of range for the NTT");
    const std::size_t n = std::size_t(1) << log_n;
    const uint64_t qv = q.value();
    require(minimal_primitive_root(2 * n, qv, root_),
            "coefficient modulus " + std::to_string(qv) + " is not NTT-friendly (needs q = 1 mod 2N)");
    const uint64_t inv_root = inv_mod(root_, qv);

    // psi^bitrev(k) and psi^-bitrev(k) for k in [0, n).
    std::vector<uint64_t> pw(n), ipw(n);
    uint64_t p = 1, ip = 1;
    for (std::size_t i = 0; i < n; ++i) {
        std::size_t k = reverse_bits(i, log_n);
        pw[k] = p;
        ipw[k] = ip;
        p = mul_mod(p, root_, q);
        ip = mul_mod(ip, inv_root, q);
    }
    root_powers_.resize(n);
    for (std::size_t k = 0; k < n; ++k) root_powers_[k] = MulOperand(pw[k], qv);
    // The inverse consumes stages m = n/2, n/4, ..., 1 and within each, indices m .. 2m-1.
    inv_root_powers_.reserve(n);
    for (std::size_t m = n >> 1; m >= 1; m >>= 1)
        for (std::size_t i = 0; i < m; ++i) inv_root_powers_.push_back(MulOperand(ipw[m + i], qv));
    inv_n_ = MulOperand(inv_mod(n, qv), qv);

    // Wide values reach 8q, which must fit 64-bit lanes; the chunk passes take 4 chunks of 16 at a time.
    if (qv >= (uint64_t(1) << 61) || n < 64) return;
    fwd_w_ = pw;
    inv_w_ = ipw;
    const bool wide = qv >= kIfmaPrimeBound;
    for (auto* t : {&fwd_wq_, &inv_wq_}) t->resize(n);
    if (wide)
        for (auto* t : {&fwd_wq_hi20_, &fwd_wq_lo20_, &inv_wq_hi20_, &inv_wq_lo20_}) t->resize(n);
    for (std::size_t k = 0; k < n; ++k) {
        uint64_t f[3], i[3];
        vector_quotient(pw[k], qv, f);
        vector_quotient(ipw[k], qv, i);
        fwd_wq_[k] = f[0];
        inv_wq_[k] = i[0];
        if (wide) {
            fwd_wq_hi20_[k] = f[1];
            fwd_wq_lo20_[k] = f[2];
            inv_wq_hi20_[k] = i[1];
            inv_wq_lo20_[k] = i[2];
        }
    }
    inv_n_tw_[0] = inv_n_.operand;
    vector_quotient(inv_n_tw_[0], qv, inv_n_tw_ + 1);
    inv_last_tw_[0] = mul_mod(ipw[1], inv_n_.operand, q);
    vector_quotient(inv_last_tw_[0], qv, inv_last_tw_ + 1);
}

// ---------------------------------------------------------------------------------------------
// Portable kernels: Harvey's lazy butterflies with 64-bit Shoup multiplication.

namespace {

void forward_scalar(const NttTables& tb, uint64_t* a) {
    const std::size_t n = tb.n();
    const uint64_t q = tb.modulus().value(), two_q = 2 * q;
    const MulOperand* w = tb.root_powers().data();
    std::size_t t = n >> 1;
    for (std::size_t m = 1; m < n; m <<= 1, t >>= 1) {
        for (std::size_t i = 0; i < m; ++i) {
            const MulOperand wi = w[m + i];
            uint64_t* x = a + 2 * i * t;
            uint64_t* y = x + t;
            for (std::size_t j = 0; j < t; ++j) {
                uint64_t u = x[j];
                u -= (u >= two_q) ? two_q : 0;
                uint64_t v = mul_shoup_lazy(y[j], wi, q);
                x[j] = u + v;
                y[j] = u - v + two_q;
            }
        }
    }
    for (std::size_t j = 0; j < n; ++j) {
        uint64_t v = a[j];
        v -= (v >= two_q) ? two_q : 0;
        a[j] = v - ((v >= q) ? q : 0);
    }
}

void inverse_scalar(const NttTables& tb, uint64_t* a) {
    const std::size_t n = tb.n();
    const uint64_t q = tb.modulus().value(), two_q = 2 * q;
    const MulOperand* w = tb.inv_root_powers().data();
    std::size_t t = 1;
    for (std::size_t m = n >> 1; m >= 1; m >>= 1, t <<= 1) {
        for (std::size_t i = 0; i < m; ++i) {
            const MulOperand wi = *w++;
            uint64_t* x = a + 2 * i * t;
            uint64_t* y = x + t;
            for (std::size_t j = 0; j < t; ++j) {
                uint64_t u = x[j], v = y[j];
                uint64_t s = u + v;
                x[j] = s - ((s >= two_q) ? two_q : 0);
                y[j] = mul_shoup_lazy(u - v + two_q, wi, q);
            }
        }
    }
    const MulOperand inv_n = tb.inv_n();
    for (std::size_t j = 0; j < n; ++j) {
        uint64_t v = mul_shoup_lazy(a[j], inv_n, q);
        a[j] = v - ((v >= q) ? q : 0);
    }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// AVX-512 kernels, eight lanes per vector.
//
// Wide = false (q < 2^50): 52-bit IFMA lanes. Every value is tracked by a bound c*q (c a whole number,
// c*q <= 2^52) instead of being corrected at every butterfly; a value is reduced (Shoup's product by 1,
// two multiply-adds, into [0, 2q)) only where the next butterfly would otherwise leave 52 bits. The
// multiply-adds read only the low 52 bits of their inputs, so products and sums are kept modulo 2^52
// ("loose": bits 52-63 may hold carries) and masked once, at the very end.
// Wide = true (q < 2^61, SEAL's usual 60-bit primes): 64-bit lanes, the high half of the 64x64 product
// built from 32x32 multiplies, products left in [0, 4q) and one conditional subtraction of 4q per
// butterfly (Harvey's butterflies one level lazier): forward values stay below 8q, inverse below 4q.
//
// Both give the unique representative in [0, q) of the transform, so every path's output is the same.
template <bool Wide>
struct NttVector {
    struct Consts {
        __m512i zero, q, two_q, four_q, neg_q, one_q, mask, lo32;
    };
    VEIL_IFMA static Consts consts(const NttTables& tb) {
        const uint64_t qv = tb.q_.value();
        Consts k;
        k.zero = _mm512_setzero_si512();
        k.q = _mm512_set1_epi64(int64_t(qv));
        k.two_q = _mm512_add_epi64(k.q, k.q);
        k.four_q = _mm512_add_epi64(k.two_q, k.two_q);
        k.neg_q = _mm512_set1_epi64(int64_t((uint64_t(1) << 52) - qv));
        k.one_q = _mm512_set1_epi64(int64_t(Wide ? 0 : (uint64_t(1) << 52) / qv));
        k.mask = _mm512_set1_epi64(int64_t((uint64_t(1) << 52) - 1));
        k.lo32 = _mm512_set1_epi64(int64_t(0xFFFFFFFFu));
        return k;
    }

    // A twiddle w with its Shoup quotient as vector_quotient lays it out (hi20, lo20: Wide only), and the
    // tables they are loaded from.
    struct Tw {
        __m512i w, wq, hi20, lo20;
    };
    struct TwTables {
        const uint64_t *w, *wq, *hi20, *lo20;
    };
    static TwTables tables(const NttTables& tb, bool inverse) {
        if (inverse) return {tb.inv_w_.data(), tb.inv_wq_.data(), tb.inv_wq_hi20_.data(), tb.inv_wq_lo20_.data()};
        return {tb.fwd_w_.data(), tb.fwd_wq_.data(), tb.fwd_wq_hi20_.data(), tb.fwd_wq_lo20_.data()};
    }
    // The twiddles of 8 lanes from index i: 1 = one twiddle for all, 2 / 4 = two / four repeated, 8 = eight.
    template <int Distinct>
    VEIL_IFMA static inline __m512i load_tw(const uint64_t* p) {
        if constexpr (Distinct == 1) return _mm512_set1_epi64(int64_t(*p));
        if constexpr (Distinct == 2) return _mm512_broadcast_i64x2(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
        if constexpr (Distinct == 4) return _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
        return _mm512_loadu_si512(p);
    }
    template <int Distinct>
    VEIL_IFMA static inline Tw twiddle(const TwTables& t, std::size_t i) {
        Tw r;
        r.w = load_tw<Distinct>(t.w + i);
        r.wq = load_tw<Distinct>(t.wq + i);
        if constexpr (Wide) {
            r.hi20 = load_tw<Distinct>(t.hi20 + i);
            r.lo20 = load_tw<Distinct>(t.lo20 + i);
        } else {
            r.hi20 = r.lo20 = r.wq;  // unused
        }
        return r;
    }
    VEIL_IFMA static inline Tw twiddle(const uint64_t (&t)[4]) {
        return {_mm512_set1_epi64(int64_t(t[0])), _mm512_set1_epi64(int64_t(t[1])), _mm512_set1_epi64(int64_t(t[2])),
                _mm512_set1_epi64(int64_t(t[3]))};
    }

    // x * w mod q: Wide, in [0, 4q) for any x; otherwise in [0, 2q) modulo 2^52 (loose), for x < 2^52.
    VEIL_IFMA static inline __m512i mul(__m512i x, const Tw& t, const Consts& k) {
        if constexpr (Wide) {
            // hi = xh Qh + floor(xl Qh / 2^32) + floor(xh Ql / 2^32) (32-bit halves of x and of the quotient
            // Q): the high word of x Q without the low partial product and the carries of the middle ones,
            // at most 2 below the exact one, so x w - hi q lies in [0, 4q) (Shoup's [0, 2q) plus 2q). The two
            // middle terms come from 52-bit high multiply-adds of the halves shifted left by 20.
            const __m512i xh = _mm512_srli_epi64(x, 32), xl = _mm512_and_si512(x, k.lo32);
            __m512i hi = _mm512_mul_epu32(xh, t.wq);
            hi = _mm512_madd52hi_epu64(hi, xl, t.hi20);
            hi = _mm512_madd52hi_epu64(hi, xh, t.lo20);
            return _mm512_sub_epi64(_mm512_mullo_epi64(x, t.w), _mm512_mullo_epi64(hi, k.q));
        } else {
            // x w - hi q, the subtraction folded into a multiply-add of 2^52 - q.
            const __m512i hi = _mm512_madd52hi_epu64(k.zero, x, t.wq);
            return _mm512_madd52lo_epu64(_mm512_madd52lo_epu64(k.zero, x, t.w), hi, k.neg_q);
        }
    }
    // A (loose) value below 2^52 into [0, 2q), loose: Shoup's product by 1, quotient floor(2^52 / q).
    VEIL_IFMA static inline __m512i reduce2q(__m512i v, const Consts& k) {
        return _mm512_madd52lo_epu64(v, _mm512_madd52hi_epu64(k.zero, v, k.one_q), k.neg_q);
    }
    // A value of the last butterflies into [0, q): forward values below 2^52 (loose) or 8q (Wide); inverse
    // values (products) in [0, 2q) loose or [0, 4q) (Wide).
    VEIL_IFMA static inline __m512i finish_forward(__m512i v, const Consts& k) {
        if constexpr (Wide) return avx512::sub_if_ge(avx512::sub_if_ge(avx512::sub_if_ge(v, k.four_q), k.two_q), k.q);
        return avx512::sub_if_ge(_mm512_and_si512(reduce2q(v, k), k.mask), k.q);
    }
    VEIL_IFMA static inline __m512i finish_inverse(__m512i v, const Consts& k) {
        if constexpr (Wide) return avx512::sub_if_ge(avx512::sub_if_ge(v, k.two_q), k.q);
        return avx512::sub_if_ge(_mm512_and_si512(v, k.mask), k.q);
    }

    // Forward (Cooley-Tukey) butterfly: x + w y, x - w y + 2q (Wide: + 4q). Outputs are below (bound of
    // x) + 2q; Reduce first brings x below 2q. Wide: x below 8q is brought below 4q, outputs below 8q.
    template <bool Reduce>
    VEIL_IFMA static inline void fwd_bfly(__m512i& x, __m512i& y, const Tw& t, const Consts& k) {
        if constexpr (Wide)
            x = avx512::sub_if_ge(x, k.four_q);
        else if constexpr (Reduce)
            x = reduce2q(x, k);
        const __m512i v = mul(y, t, k);
        y = _mm512_sub_epi64(_mm512_add_epi64(x, Wide ? k.four_q : k.two_q), v);
        x = _mm512_add_epi64(x, v);
    }
    // Inverse (Gentleman-Sande) butterfly: x + y, (x - y + cq) w, where cq is a multiple of q at least y's
    // bound. The sum doubles the bound unless Reduce (Wide: always, values below 4q, cq = 4q).
    template <bool Reduce>
    VEIL_IFMA static inline void inv_bfly(__m512i& x, __m512i& y, const Tw& t, __m512i cq, const Consts& k) {
        __m512i s = _mm512_add_epi64(x, y);
        if constexpr (Wide)
            s = avx512::sub_if_ge(s, k.four_q);
        else if constexpr (Reduce)
            s = reduce2q(s, k);
        y = mul(_mm512_sub_epi64(_mm512_add_epi64(x, Wide ? k.four_q : cq), y), t, k);
        x = s;
    }
    // The inverse's last butterfly with 1/n folded in: (x + y) / n, (x - y + cq) w / n, both in [0, q).
    VEIL_IFMA static inline void inv_bfly_last(__m512i& x, __m512i& y, __m512i cq, const NttTables& tb,
                                               const Consts& k) {
        const __m512i s = mul(_mm512_add_epi64(x, y), twiddle(tb.inv_n_tw_), k);
        const __m512i d = _mm512_sub_epi64(_mm512_add_epi64(x, Wide ? k.four_q : cq), y);
        y = finish_inverse(mul(d, twiddle(tb.inv_last_tw_), k), k);
        x = finish_inverse(s, k);
    }

    // The stages whose butterfly span (8, 4, 2, 1) is within a 16-value chunk run on the chunk held in two
    // registers x, y, moved between the lane layouts of kChunkLayouts by two permutes per stage.
    VEIL_IFMA static inline void route(__m512i& x, __m512i& y, const __m512i* idx) {
        const __m512i nx = _mm512_permutex2var_epi64(x, idx[0], y);
        y = _mm512_permutex2var_epi64(x, idx[1], y);
        x = nx;
    }
    VEIL_IFMA static inline __m512i load(const uint64_t* p) { return _mm512_loadu_si512(p); }

    // The permutes of the chunk stages (two per stage, four stages), from chunk_routes.
    VEIL_IFMA static inline void load_routes(bool inverse, __m512i idx[8]) {
        const int64_t* r = chunk_routes(inverse);
        for (int i = 0; i < 8; ++i) idx[i] = load64(r + 8 * i);
    }

    // Chunks per iteration of the chunk passes: their dependency chains (multiplies, permutes) overlap.
    static constexpr int kChunkUnroll = 4;

    // Forward: the stages of span 8 (Span8), 4, 2 and 1 over the chunks [c_lo, c_hi), then the reduction
    // into [0, q).
    template <bool Span8, bool Reduce>
    VEIL_IFMA static void fwd_chunks(const NttTables& tb, uint64_t* a, std::size_t c_lo, std::size_t c_hi) {
        const Consts k = consts(tb);
        const std::size_t n = tb.n();
        const TwTables tt = tables(tb, false);
        __m512i idx[8];
        load_routes(false, idx);
        for (std::size_t c0 = c_lo; c0 < c_hi; c0 += kChunkUnroll) {
            __m512i x[kChunkUnroll], y[kChunkUnroll];
            for (int u = 0; u < kChunkUnroll; ++u) x[u] = load(a + 16 * (c0 + u)), y[u] = load(a + 16 * (c0 + u) + 8);
            if constexpr (Span8)
                for (int u = 0; u < kChunkUnroll; ++u)
                    fwd_bfly<Reduce>(x[u], y[u], twiddle<1>(tt, n / 16 + c0 + u), k);
            for (int u = 0; u < kChunkUnroll; ++u) route(x[u], y[u], idx);
            for (int u = 0; u < kChunkUnroll; ++u) {
                const std::size_t c = c0 + u;
                fwd_bfly<Reduce>(x[u], y[u], twiddle<2>(tt, n / 8 + 2 * c), k);
            }
            for (int u = 0; u < kChunkUnroll; ++u) route(x[u], y[u], idx + 2);
            for (int u = 0; u < kChunkUnroll; ++u) {
                const std::size_t c = c0 + u;
                fwd_bfly<Reduce>(x[u], y[u], twiddle<4>(tt, n / 4 + 4 * c), k);
            }
            for (int u = 0; u < kChunkUnroll; ++u) route(x[u], y[u], idx + 4);
            for (int u = 0; u < kChunkUnroll; ++u) {
                const std::size_t c = c0 + u;
                fwd_bfly<Reduce>(x[u], y[u], twiddle<8>(tt, n / 2 + 8 * c), k);
            }
            for (int u = 0; u < kChunkUnroll; ++u) {
                route(x[u], y[u], idx + 6);
                _mm512_storeu_si512(a + 16 * (c0 + u), finish_forward(x[u], k));
                _mm512_storeu_si512(a + 16 * (c0 + u) + 8, finish_forward(y[u], k));
            }
        }
    }

    // Inverse: the stages of span 1, 2, 4 and 8 (Span8) over the chunks [c_lo, c_hi); inputs below 2q.
    template <bool Span8, bool Reduce>
    VEIL_IFMA static void inv_chunks(const NttTables& tb, uint64_t* a, std::size_t c_lo, std::size_t c_hi) {
        const Consts k = consts(tb);
        const std::size_t n = tb.n();
        const TwTables tt = tables(tb, true);
        __m512i idx[8];
        load_routes(true, idx);
        // Bounds of the inputs of each stage: 2q, then doubling unless every sum is reduced.
        const __m512i cq1 = k.two_q, cq2 = Reduce ? k.two_q : _mm512_slli_epi64(k.q, 2);
        const __m512i cq3 = Reduce ? k.two_q : _mm512_slli_epi64(k.q, 3), cq4 = Reduce ? k.two_q : _mm512_slli_epi64(k.q, 4);
        for (std::size_t c0 = c_lo; c0 < c_hi; c0 += kChunkUnroll) {
            __m512i x[kChunkUnroll], y[kChunkUnroll];
            for (int u = 0; u < kChunkUnroll; ++u) {
                x[u] = load(a + 16 * (c0 + u)), y[u] = load(a + 16 * (c0 + u) + 8);
                route(x[u], y[u], idx);
            }
            for (int u = 0; u < kChunkUnroll; ++u) {
                const std::size_t c = c0 + u;
                inv_bfly<Reduce>(x[u], y[u], twiddle<8>(tt, n / 2 + 8 * c), cq1, k);
            }
            for (int u = 0; u < kChunkUnroll; ++u) route(x[u], y[u], idx + 2);
            for (int u = 0; u < kChunkUnroll; ++u) {
                const std::size_t c = c0 + u;
                inv_bfly<Reduce>(x[u], y[u], twiddle<4>(tt, n / 4 + 4 * c), cq2, k);
            }
            for (int u = 0; u < kChunkUnroll; ++u) route(x[u], y[u], idx + 4);
            for (int u = 0; u < kChunkUnroll; ++u) {
                const std::size_t c = c0 + u;
                inv_bfly<Reduce>(x[u], y[u], twiddle<2>(tt, n / 8 + 2 * c), cq3, k);
            }
            for (int u = 0; u < kChunkUnroll; ++u) route(x[u], y[u], idx + 6);
            if constexpr (Span8)
                for (int u = 0; u < kChunkUnroll; ++u)
                    inv_bfly<Reduce>(x[u], y[u], twiddle<1>(tt, n / 16 + c0 + u), cq4, k);
            for (int u = 0; u < kChunkUnroll; ++u) {
                _mm512_storeu_si512(a + 16 * (c0 + u), x[u]);
                _mm512_storeu_si512(a + 16 * (c0 + u) + 8, y[u]);
            }
        }
    }
    VEIL_IFMA static inline __m512i load64(const int64_t* p) { return _mm512_loadu_si512(p); }

    // Two stages per pass (radix 4) over the groups [i_lo, i_hi) of the first one (m groups of span t):
    // half the loads and stores of two radix-2 passes, the same butterflies.
    template <bool R1, bool R2>
    VEIL_IFMA static void fwd_radix4(const NttTables& tb, uint64_t* a, std::size_t m, std::size_t t, std::size_t i_lo,
                                     std::size_t i_hi) {
        const Consts k = consts(tb);
        const TwTables tt = tables(tb, false);
        const std::size_t h = t >> 1;
        for (std::size_t i = i_lo; i < i_hi; ++i) {
            const Tw w1 = twiddle<1>(tt, m + i), w2 = twiddle<1>(tt, 2 * m + 2 * i), w3 = twiddle<1>(tt, 2 * m + 2 * i + 1);
            uint64_t* p0 = a + 2 * i * t;
            uint64_t *p1 = p0 + h, *p2 = p0 + t, *p3 = p0 + t + h;
#pragma GCC unroll 2
            for (std::size_t j = 0; j < h; j += 8) {
                __m512i x0 = load(p0 + j), x1 = load(p1 + j), x2 = load(p2 + j), x3 = load(p3 + j);
                fwd_bfly<R1>(x0, x2, w1, k);
                fwd_bfly<R1>(x1, x3, w1, k);
                fwd_bfly<R2>(x0, x1, w2, k);
                fwd_bfly<R2>(x2, x3, w3, k);
                _mm512_storeu_si512(p0 + j, x0);
                _mm512_storeu_si512(p1 + j, x1);
                _mm512_storeu_si512(p2 + j, x2);
                _mm512_storeu_si512(p3 + j, x3);
            }
        }
    }

    // Inverse radix-4 pass over the groups [i_lo, i_hi) of its second stage (span 2t); cq1, cq2 are the
    // input bounds of its two stages. Last: the transform's final stage, with 1/n folded in.
    template <bool R1, bool R2, bool Last>
    VEIL_IFMA static void inv_radix4(const NttTables& tb, uint64_t* a, std::size_t m, std::size_t t, std::size_t i_lo,
                                     std::size_t i_hi, uint64_t cq1, uint64_t cq2) {
        const Consts k = consts(tb);
        const TwTables tt = tables(tb, true);
        const __m512i c1 = _mm512_set1_epi64(int64_t(cq1)), c2 = _mm512_set1_epi64(int64_t(cq2));
        for (std::size_t i = i_lo; i < i_hi; ++i) {
            const Tw w0 = twiddle<1>(tt, m + 2 * i), w1 = twiddle<1>(tt, m + 2 * i + 1), w2 = twiddle<1>(tt, m / 2 + i);
            uint64_t* p0 = a + 4 * i * t;
            uint64_t *p1 = p0 + t, *p2 = p0 + 2 * t, *p3 = p0 + 3 * t;
#pragma GCC unroll 2
            for (std::size_t j = 0; j < t; j += 8) {
                __m512i x0 = load(p0 + j), x1 = load(p1 + j), x2 = load(p2 + j), x3 = load(p3 + j);
                inv_bfly<R1>(x0, x1, w0, c1, k);
                inv_bfly<R1>(x2, x3, w1, c1, k);
                if constexpr (Last) {
                    inv_bfly_last(x0, x2, c2, tb, k);
                    inv_bfly_last(x1, x3, c2, tb, k);
                } else {
                    inv_bfly<R2>(x0, x2, w2, c2, k);
                    inv_bfly<R2>(x1, x3, w2, c2, k);
                }
                _mm512_storeu_si512(p0 + j, x0);
                _mm512_storeu_si512(p1 + j, x1);
                _mm512_storeu_si512(p2 + j, x2);
                _mm512_storeu_si512(p3 + j, x3);
            }
        }
    }

    // The reductions of a transform, chosen from the prime alone: the forward reduces x before a stage
    // when (bound + 2q) would leave 52 bits; the inverse reduces a stage's sums when the next stage's
    // sums would. Wide never uses the flags (its butterflies correct at every stage).
    struct Plan {
        bool span8 = false, chunk_reduce = false;
        int passes = 0;
        bool reduce[2 * 16] = {};
        uint64_t cq[2 * 16] = {};  // inverse: input bound of each radix-4 stage
    };
    static Plan plan(const NttTables& tb, bool inverse) {
        Plan p;
        const int log_n = tb.log_n_;
        p.span8 = (log_n - 3) % 2 == 1;
        p.passes = (log_n - 3 - int(p.span8)) / 2;
        const uint64_t q = tb.q_.value();
        const uint64_t lim = Wide ? ~uint64_t(0) : (uint64_t(1) << 52) / q;  // multiples of q that fit 52 bits
        const int chunk_stages = 3 + int(p.span8);
        if (!inverse) {
            uint64_t c = 1;  // inputs in [0, q)
            for (int s = 0; s < 2 * p.passes; ++s) {
                p.reduce[s] = !Wide && c + 2 > lim;
                c = (p.reduce[s] ? 2 : c) + 2;
            }
            p.chunk_reduce = !Wide && c + 2 * uint64_t(chunk_stages) > lim;
        } else {
            // Inputs below 2q; the chunk stages end below 2^(stages + 1) q, or 2q when reducing.
            p.chunk_reduce = !Wide && (uint64_t(4) << chunk_stages) > lim;
            uint64_t c = p.chunk_reduce ? 2 : uint64_t(2) << chunk_stages;
            for (int s = 0; s < 2 * p.passes; ++s) {
                p.cq[s] = c * q;  // unused by Wide
                p.reduce[s] = !Wide && 4 * c > lim;
                c = p.reduce[s] ? 2 : 2 * c;
            }
        }
        return p;
    }

    static void fwd_pass(const Plan& p, int s, const NttTables& tb, uint64_t* a, std::size_t m, std::size_t t,
                         std::size_t i_lo, std::size_t i_hi) {
        const bool r1 = p.reduce[2 * s], r2 = p.reduce[2 * s + 1];
        if (Wide || (!r1 && !r2)) return fwd_radix4<false, false>(tb, a, m, t, i_lo, i_hi);
        if (r1 && r2) return fwd_radix4<true, true>(tb, a, m, t, i_lo, i_hi);
        if (r1) return fwd_radix4<true, false>(tb, a, m, t, i_lo, i_hi);
        fwd_radix4<false, true>(tb, a, m, t, i_lo, i_hi);
    }
    static void inv_pass(const Plan& p, int s, const NttTables& tb, uint64_t* a, std::size_t m, std::size_t t,
                         std::size_t i_lo, std::size_t i_hi) {
        const bool r1 = p.reduce[2 * s] && !Wide, r2 = p.reduce[2 * s + 1] && !Wide;
        const uint64_t c1 = p.cq[2 * s], c2 = p.cq[2 * s + 1];
        if (s == p.passes - 1)
            return (r1 ? inv_radix4<true, false, true> : inv_radix4<false, false, true>)(tb, a, m, t, i_lo, i_hi, c1, c2);
        if (r1 && r2) return inv_radix4<true, true, false>(tb, a, m, t, i_lo, i_hi, c1, c2);
        if (r1) return inv_radix4<true, false, false>(tb, a, m, t, i_lo, i_hi, c1, c2);
        if (r2) return inv_radix4<false, true, false>(tb, a, m, t, i_lo, i_hi, c1, c2);
        inv_radix4<false, false, false>(tb, a, m, t, i_lo, i_hi, c1, c2);
    }
    static void chunks(const Plan& p, bool inverse, const NttTables& tb, uint64_t* a, std::size_t c_lo,
                       std::size_t c_hi) {
        const bool r = p.chunk_reduce && !Wide;
        if (inverse)
            (p.span8 ? (r ? inv_chunks<true, true> : inv_chunks<true, false>)
                     : (r ? inv_chunks<false, true> : inv_chunks<false, false>))(tb, a, c_lo, c_hi);
        else
            (p.span8 ? (r ? fwd_chunks<true, true> : fwd_chunks<true, false>)
                     : (r ? fwd_chunks<false, true> : fwd_chunks<false, false>))(tb, a, c_lo, c_hi);
    }

    // Stages whose groups span more than a block sweep the whole polynomial; the later ones run block by
    // block while the block is in the L1 cache. Every butterfly sees the same inputs as in stage order.
    static void forward(const NttTables& tb, uint64_t* a) {
        const Plan p = plan(tb, false);
        const std::size_t n = tb.n(), block = std::min(n, kNttBlock);
        std::size_t t = n >> 1, m = 1;
        int s = 0;
        for (; s < p.passes && 2 * t > block; ++s, m <<= 2, t >>= 2) fwd_pass(p, s, tb, a, m, t, 0, m);
        for (std::size_t lo = 0; lo < n; lo += block) {
            std::size_t bt = t, bm = m;
            for (int bs = s; bs < p.passes; ++bs, bm <<= 2, bt >>= 2)
                fwd_pass(p, bs, tb, a, bm, bt, lo / (2 * bt), (lo + block) / (2 * bt));
            chunks(p, false, tb, a, lo / 16, (lo + block) / 16);
        }
    }

    // Inverse: block by block while a pass's groups (4t values) fit a block, then whole sweeps.
    static void inverse(const NttTables& tb, uint64_t* a) {
        const Plan p = plan(tb, true);
        const std::size_t n = tb.n(), block = std::min(n, kNttBlock);
        const std::size_t t0 = p.span8 ? 16 : 8;
        std::size_t m = n / (2 * t0), t = t0;
        int s = 0;
        for (std::size_t lo = 0; lo < n; lo += block) {
            chunks(p, true, tb, a, lo / 16, (lo + block) / 16);
            std::size_t bm = n / (2 * t0), bt = t0;
            int bs = 0;
            for (; bs < p.passes && 4 * bt <= block; ++bs, bm >>= 2, bt <<= 2)
                inv_pass(p, bs, tb, a, bm, bt, lo / (4 * bt), (lo + block) / (4 * bt));
            m = bm;
            t = bt;
            s = bs;
        }
        for (; s < p.passes; ++s, m >>= 2, t <<= 2) inv_pass(p, s, tb, a, m, t, 0, m / 2);
    }
};

void NttTables::transform(uint64_t* a, bool inverse) const {
    const bool vector = !fwd_w_.empty() && use_ifma();
    const bool wide = q_.value() >= kIfmaPrimeBound;
    if (!vector)
        (inverse ? inverse_scalar : forward_scalar)(*this, a);
    else if (wide)
        (inverse ? NttVector<true>::inverse : NttVector<true>::forward)(*this, a);
    else
        (inverse ? NttVector<false>::inverse : NttVector<false>::forward)(*this, a);
}

}  // namespace veil::he::util
