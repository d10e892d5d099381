#include "util/ntt.h"

#include <algorithm>
#include <cstring>

#include "he/error.h"
#include "util/avx512.h"
#include "util/numth.h"
#include "util/simd.h"

namespace veil::he::util {
namespace {

// Shoup quotient floor(w * 2^bits / q) for the vector kernels: 52 bits (IFMA lanes) below 2^50,
// 64 bits (emulated high multiply) for wider primes.
uint64_t vector_quotient(uint64_t w, uint64_t q) {
    return q < kIfmaPrimeBound ? uint64_t((u128(w) << 52) / q) : uint64_t((u128(w) << 64) / q);
}

// Element positions (within a 16-element chunk) of the butterfly's upper inputs for span t < 8;
// the partner of position p is p + t.
void small_stage_positions(int t, int out[8]) {
    int l = 0;
    for (int p = 0; p < 16; ++p)
        if ((p % (2 * t)) < t) out[l++] = p;
}

int small_stage_slot(int t) { return t == 4 ? 0 : t == 2 ? 1 : 2; }

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

    // Lazy values reach 4q, which must fit the lanes: 52 bits (IFMA) or 64 bits (wide path).
    if (qv >= (uint64_t(1) << 62) || n < 16) return;
    fwd_w_ = pw;
    inv_w_ = ipw;
    fwd_wq_.resize(n);
    inv_wq_.resize(n);
    for (std::size_t k = 0; k < n; ++k) {
        fwd_wq_[k] = vector_quotient(pw[k], qv);
        inv_wq_[k] = vector_quotient(ipw[k], qv);
    }
    const std::size_t half = n / 2;
    small_fwd_w_.resize(3 * half);
    small_fwd_wq_.resize(3 * half);
    small_inv_w_.resize(3 * half);
    small_inv_wq_.resize(3 * half);
    for (int t : {4, 2, 1}) {
        int pos[8];
        small_stage_positions(t, pos);
        const std::size_t m = n / (2 * t);
        const std::size_t off = small_stage_slot(t) * half;
        for (std::size_t c = 0; c < n / 16; ++c)
            for (int l = 0; l < 8; ++l) {
                std::size_t g = (16 * c + pos[l]) / (2 * t);
                std::size_t at = off + 8 * c + l;
                small_fwd_w_[at] = pw[m + g];
                small_fwd_wq_[at] = vector_quotient(pw[m + g], qv);
                small_inv_w_[at] = ipw[m + g];
                small_inv_wq_[at] = vector_quotient(ipw[m + g], qv);
            }
    }
    inv_n_w_ = inv_n_.operand;
    inv_n_wq_ = vector_quotient(inv_n_w_, qv);
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
// AVX-512 IFMA kernels for q < 2^50: eight 52-bit lanes, same butterflies as above.

// Wide = false: 52-bit IFMA lanes (q < 2^50). Wide = true: 64-bit lanes with the high half of the
// 64x64 product built from four 32x32 multiplies (q < 2^62), for SEAL's usual 60-bit primes.
template <bool Wide>
struct NttVector {
    // x * w mod q in [0, 2q), given the Shoup quotient wq of w.
    VEIL_IFMA static inline __m512i mul_shoup(__m512i x, __m512i w, __m512i wq, __m512i q) {
        if constexpr (Wide) {
            // The high word of x * wq without the low partial product and the carries of the middle
            // ones: at most 2 below the exact one, so x w - hi q lies in [0, 4q) (below 2^64 for q < 2^62), and one
            // conditional subtraction brings it to Shoup's [0, 2q).
            const __m512i xh = _mm512_shuffle_epi32(x, _MM_PERM_CDAB), wqh = _mm512_shuffle_epi32(wq, _MM_PERM_CDAB);
            __m512i hi = _mm512_mul_epu32(xh, wqh);
            hi = _mm512_add_epi64(hi, _mm512_srli_epi64(_mm512_mul_epu32(x, wqh), 32));
            hi = _mm512_add_epi64(hi, _mm512_srli_epi64(_mm512_mul_epu32(xh, wq), 32));
            const __m512i r = _mm512_sub_epi64(_mm512_mullo_epi64(x, w), _mm512_mullo_epi64(hi, q));
            return avx512::sub_if_ge(r, _mm512_add_epi64(q, q));
        } else {
            // x w - hi q in the low 52 bits, with the subtraction folded into a multiply-add of 2^52 - q.
            const __m512i zero = _mm512_setzero_si512();
            const __m512i mask = _mm512_set1_epi64((int64_t(1) << 52) - 1);
            const __m512i neg_q = _mm512_sub_epi64(_mm512_set1_epi64(int64_t(1) << 52), q);
            const __m512i hi = _mm512_madd52hi_epu64(zero, x, wq);
            return _mm512_and_si512(_mm512_madd52lo_epu64(_mm512_madd52lo_epu64(zero, x, w), hi, neg_q), mask);
        }
    }
    // Reduce = false skips Harvey's correction of x: both outputs then grow by 2q over the inputs' bound.
    template <bool Reduce = true>
    VEIL_IFMA static inline void fwd_butterfly(__m512i& x, __m512i& y, __m512i w, __m512i wq, __m512i q,
                                               __m512i two_q) {
        if constexpr (Reduce) x = avx512::sub_if_ge(x, two_q);
        __m512i v = mul_shoup(y, w, wq, q);
        y = _mm512_add_epi64(_mm512_sub_epi64(x, v), two_q);
        x = _mm512_add_epi64(x, v);
    }
    VEIL_IFMA static inline void inv_butterfly(__m512i& x, __m512i& y, __m512i w, __m512i wq, __m512i q,
                                               __m512i two_q) {
        __m512i s = avx512::sub_if_ge(_mm512_add_epi64(x, y), two_q);
        __m512i d = _mm512_add_epi64(_mm512_sub_epi64(x, y), two_q);
        x = s;
        y = mul_shoup(d, w, wq, q);
    }

    struct SmallPerm {
        __m512i x_idx, y_idx, out0, out1;
    };
    static SmallPerm small_perm(int t) {
        int pos[8];
        small_stage_positions(t, pos);
        alignas(64) int64_t xi[8], yi[8], o0[8], o1[8];
        int rank_of[16];
        bool is_x[16] = {};
        for (int l = 0; l < 8; ++l) {
            xi[l] = pos[l];
            yi[l] = pos[l] + t;
            rank_of[pos[l]] = l;
            rank_of[pos[l] + t] = l;
            is_x[pos[l]] = true;
        }
        for (int p = 0; p < 16; ++p) {
            int64_t src = is_x[p] ? rank_of[p] : 8 + rank_of[p];
            (p < 8 ? o0[p] : o1[p - 8]) = src;
        }
        SmallPerm s;
        std::memcpy(&s.x_idx, xi, 64);
        std::memcpy(&s.y_idx, yi, 64);
        std::memcpy(&s.out0, o0, 64);
        std::memcpy(&s.out1, o1, 64);
        return s;
    }

    // The three stages whose butterfly span (4, 2, 1) is below one vector, done in one pass over the
    // 16-element chunks [c_lo, c_hi): each chunk stays in two registers through all three (forward: then
    // fully reduced to [0, q)).
    template <bool Lazy = false>
    VEIL_IFMA static void small_stages(const NttTables& tb, uint64_t* a, bool inverse, std::size_t c_lo,
                                       std::size_t c_hi) {
        static const SmallPerm perms[3] = {small_perm(4), small_perm(2), small_perm(1)};
        const std::size_t half = tb.n() / 2;
        const uint64_t* ws = (inverse ? tb.small_inv_w_ : tb.small_fwd_w_).data();
        const uint64_t* wqs = (inverse ? tb.small_inv_wq_ : tb.small_fwd_wq_).data();
        const __m512i q = _mm512_set1_epi64(int64_t(tb.q_.value()));
        const __m512i two_q = _mm512_add_epi64(q, q);
        const __m512i one_q = _mm512_set1_epi64(int64_t(Lazy ? (uint64_t(1) << 52) / tb.q_.value() : 0));
        for (std::size_t c = c_lo; c < c_hi; ++c) {
            __m512i v0 = _mm512_loadu_si512(a + 16 * c), v1 = _mm512_loadu_si512(a + 16 * c + 8);
            for (int k = 0; k < 3; ++k) {
                const int slot = inverse ? 2 - k : k;  // forward: spans 4, 2, 1; inverse: 1, 2, 4
                const SmallPerm& pm = perms[slot];
                __m512i x = _mm512_permutex2var_epi64(v0, pm.x_idx, v1);
                __m512i y = _mm512_permutex2var_epi64(v0, pm.y_idx, v1);
                const __m512i w = _mm512_loadu_si512(ws + slot * half + 8 * c);
                const __m512i wq = _mm512_loadu_si512(wqs + slot * half + 8 * c);
                if (inverse)
                    inv_butterfly(x, y, w, wq, q, two_q);
                else
                    fwd_butterfly<!Lazy>(x, y, w, wq, q, two_q);
                v0 = _mm512_permutex2var_epi64(x, pm.out0, y);
                v1 = _mm512_permutex2var_epi64(x, pm.out1, y);
            }
            if (!inverse && Lazy) {
                v0 = reduce_lazy(v0, q, one_q);
                v1 = reduce_lazy(v1, q, one_q);
            } else if (!inverse) {
                v0 = avx512::sub_if_ge(avx512::sub_if_ge(v0, two_q), q);
                v1 = avx512::sub_if_ge(avx512::sub_if_ge(v1, two_q), q);
            }
            _mm512_storeu_si512(a + 16 * c, v0);
            _mm512_storeu_si512(a + 16 * c + 8, v1);
        }
    }

    // A value below 2^52 reduced into [0, q): Shoup's product by 1 (quotient floor(2^52 / q)) leaves
    // [0, 2q), then one conditional subtraction.
    VEIL_IFMA static inline __m512i reduce_lazy(__m512i v, __m512i q, __m512i one_q) {
        const __m512i zero = _mm512_setzero_si512();
        const __m512i neg_q = _mm512_sub_epi64(_mm512_set1_epi64(int64_t(1) << 52), q);
        const __m512i hi = _mm512_madd52hi_epu64(zero, v, one_q);
        const __m512i r = _mm512_and_si512(_mm512_madd52lo_epu64(v, hi, neg_q), _mm512_set1_epi64((int64_t(1) << 52) - 1));
        return avx512::sub_if_ge(r, q);
    }

    // Passes over the groups [i_lo, i_hi) of a stage (m groups of span t). Two stages per pass (radix 4)
    // halve the loads and stores; the arithmetic is the same butterflies in the same order per element.
    template <bool Lazy>
    VEIL_IFMA static void fwd_radix4(const NttTables& tb, uint64_t* a, std::size_t m, std::size_t t, std::size_t i_lo,
                                     std::size_t i_hi) {
        const __m512i q = _mm512_set1_epi64(int64_t(tb.q_.value()));
        const __m512i two_q = _mm512_add_epi64(q, q);
        const std::size_t h = t >> 1;
        for (std::size_t i = i_lo; i < i_hi; ++i) {
            const __m512i w1 = _mm512_set1_epi64(int64_t(tb.fwd_w_[m + i]));
            const __m512i w1q = _mm512_set1_epi64(int64_t(tb.fwd_wq_[m + i]));
            const __m512i w2 = _mm512_set1_epi64(int64_t(tb.fwd_w_[2 * m + 2 * i]));
            const __m512i w2q = _mm512_set1_epi64(int64_t(tb.fwd_wq_[2 * m + 2 * i]));
            const __m512i w3 = _mm512_set1_epi64(int64_t(tb.fwd_w_[2 * m + 2 * i + 1]));
            const __m512i w3q = _mm512_set1_epi64(int64_t(tb.fwd_wq_[2 * m + 2 * i + 1]));
            uint64_t* p0 = a + 2 * i * t;
            uint64_t *p1 = p0 + h, *p2 = p0 + t, *p3 = p0 + t + h;
            for (std::size_t j = 0; j < h; j += 8) {
                __m512i x0 = _mm512_loadu_si512(p0 + j), x1 = _mm512_loadu_si512(p1 + j);
                __m512i x2 = _mm512_loadu_si512(p2 + j), x3 = _mm512_loadu_si512(p3 + j);
                fwd_butterfly<!Lazy>(x0, x2, w1, w1q, q, two_q);
                fwd_butterfly<!Lazy>(x1, x3, w1, w1q, q, two_q);
                fwd_butterfly<!Lazy>(x0, x1, w2, w2q, q, two_q);
                fwd_butterfly<!Lazy>(x2, x3, w3, w3q, q, two_q);
                _mm512_storeu_si512(p0 + j, x0);
                _mm512_storeu_si512(p1 + j, x1);
                _mm512_storeu_si512(p2 + j, x2);
                _mm512_storeu_si512(p3 + j, x3);
            }
        }
    }

    template <bool Lazy>
    VEIL_IFMA static void fwd_radix2(const NttTables& tb, uint64_t* a, std::size_t m, std::size_t t, std::size_t i_lo,
                                     std::size_t i_hi) {
        const __m512i q = _mm512_set1_epi64(int64_t(tb.q_.value()));
        const __m512i two_q = _mm512_add_epi64(q, q);
        for (std::size_t i = i_lo; i < i_hi; ++i) {
            const __m512i w = _mm512_set1_epi64(int64_t(tb.fwd_w_[m + i]));
            const __m512i wq = _mm512_set1_epi64(int64_t(tb.fwd_wq_[m + i]));
            uint64_t* xp = a + 2 * i * t;
            uint64_t* yp = xp + t;
            for (std::size_t j = 0; j < t; j += 8) {
                __m512i x = _mm512_loadu_si512(xp + j), y = _mm512_loadu_si512(yp + j);
                fwd_butterfly<!Lazy>(x, y, w, wq, q, two_q);
                _mm512_storeu_si512(xp + j, x);
                _mm512_storeu_si512(yp + j, y);
            }
        }
    }

    // Forward: with 52-bit lanes and (1 + 2 log n) q < 2^52 (primes up to about 47 bits) no butterfly needs
    // Harvey's correction, since each stage adds at most 2q to the bound; one full reduction at the end.
    VEIL_IFMA static void forward(const NttTables& tb, uint64_t* a) {
        if constexpr (!Wide) {
            if (tb.q_.value() * uint64_t(1 + 2 * tb.log_n_) < (uint64_t(1) << 52)) return forward_passes<true>(tb, a);
        }
        forward_passes<false>(tb, a);
    }

    // Stages whose groups span more than a block sweep the whole polynomial; the later ones run block by
    // block while the block is in the L1 cache. Every butterfly sees the same inputs as in stage order.
    template <bool Lazy>
    VEIL_IFMA static void forward_passes(const NttTables& tb, uint64_t* a) {
        const std::size_t n = tb.n(), block = std::min(n, kNttBlock);
        std::size_t t = n >> 1, m = 1;
        for (; 2 * t > block && t >= 16; m <<= 2, t >>= 2) fwd_radix4<Lazy>(tb, a, m, t, 0, m);
        for (std::size_t lo = 0; lo < n; lo += block) {
            std::size_t bt = t, bm = m;
            for (; bt >= 16; bm <<= 2, bt >>= 2) fwd_radix4<Lazy>(tb, a, bm, bt, lo / (2 * bt), (lo + block) / (2 * bt));
            for (; bt >= 8; bm <<= 1, bt >>= 1) fwd_radix2<Lazy>(tb, a, bm, bt, lo / (2 * bt), (lo + block) / (2 * bt));
            small_stages<Lazy>(tb, a, false, lo / 16, (lo + block) / 16);
        }
    }

    VEIL_IFMA static void inv_radix4(const NttTables& tb, uint64_t* a, std::size_t m, std::size_t t, std::size_t i_lo,
                                     std::size_t i_hi) {
        const __m512i q = _mm512_set1_epi64(int64_t(tb.q_.value()));
        const __m512i two_q = _mm512_add_epi64(q, q);
        for (std::size_t i = i_lo; i < i_hi; ++i) {
            const __m512i w0 = _mm512_set1_epi64(int64_t(tb.inv_w_[m + 2 * i]));
            const __m512i w0q = _mm512_set1_epi64(int64_t(tb.inv_wq_[m + 2 * i]));
            const __m512i w1 = _mm512_set1_epi64(int64_t(tb.inv_w_[m + 2 * i + 1]));
            const __m512i w1q = _mm512_set1_epi64(int64_t(tb.inv_wq_[m + 2 * i + 1]));
            const __m512i w2 = _mm512_set1_epi64(int64_t(tb.inv_w_[m / 2 + i]));
            const __m512i w2q = _mm512_set1_epi64(int64_t(tb.inv_wq_[m / 2 + i]));
            uint64_t* p0 = a + 4 * i * t;
            uint64_t *p1 = p0 + t, *p2 = p0 + 2 * t, *p3 = p0 + 3 * t;
            for (std::size_t j = 0; j < t; j += 8) {
                __m512i x0 = _mm512_loadu_si512(p0 + j), x1 = _mm512_loadu_si512(p1 + j);
                __m512i x2 = _mm512_loadu_si512(p2 + j), x3 = _mm512_loadu_si512(p3 + j);
                inv_butterfly(x0, x1, w0, w0q, q, two_q);
                inv_butterfly(x2, x3, w1, w1q, q, two_q);
                inv_butterfly(x0, x2, w2, w2q, q, two_q);
                inv_butterfly(x1, x3, w2, w2q, q, two_q);
                _mm512_storeu_si512(p0 + j, x0);
                _mm512_storeu_si512(p1 + j, x1);
                _mm512_storeu_si512(p2 + j, x2);
                _mm512_storeu_si512(p3 + j, x3);
            }
        }
    }

    // Inverse: block by block while a pass's groups (4t values) fit a block, then whole sweeps.
    VEIL_IFMA static void inverse(const NttTables& tb, uint64_t* a) {
        const std::size_t n = tb.n(), block = std::min(n, kNttBlock);
        const __m512i q = _mm512_set1_epi64(int64_t(tb.q_.value()));
        const __m512i two_q = _mm512_add_epi64(q, q);
        std::size_t m = n >> 4, t = 8;
        for (std::size_t lo = 0; lo < n; lo += block) {
            small_stages(tb, a, true, lo / 16, (lo + block) / 16);
            std::size_t bm = n >> 4, bt = 8;
            for (; bm >= 2 && 4 * bt <= block; bm >>= 2, bt <<= 2) inv_radix4(tb, a, bm, bt, lo / (4 * bt), (lo + block) / (4 * bt));
            m = bm;
            t = bt;
        }
        for (; m >= 2; m >>= 2, t <<= 2) inv_radix4(tb, a, m, t, 0, m / 2);
        for (; m >= 1; m >>= 1, t <<= 1) {
            for (std::size_t i = 0; i < m; ++i) {
                const __m512i w = _mm512_set1_epi64(int64_t(tb.inv_w_[m + i]));
                const __m512i wq = _mm512_set1_epi64(int64_t(tb.inv_wq_[m + i]));
                uint64_t* xp = a + 2 * i * t;
                uint64_t* yp = xp + t;
                for (std::size_t j = 0; j < t; j += 8) {
                    __m512i x = _mm512_loadu_si512(xp + j), y = _mm512_loadu_si512(yp + j);
                    inv_butterfly(x, y, w, wq, q, two_q);
                    _mm512_storeu_si512(xp + j, x);
                    _mm512_storeu_si512(yp + j, y);
                }
            }
        }
        const __m512i iw = _mm512_set1_epi64(int64_t(tb.inv_n_w_));
        const __m512i iwq = _mm512_set1_epi64(int64_t(tb.inv_n_wq_));
        for (std::size_t j = 0; j < n; j += 8) {
            __m512i v = mul_shoup(_mm512_loadu_si512(a + j), iw, iwq, q);
            v = avx512::sub_if_ge(v, q);
            _mm512_storeu_si512(a + j, v);
        }
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
