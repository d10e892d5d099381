#include "he/encoder.h"

#include <algorithm>
#include <cmath>

#include <immintrin.h>

#include "he/error.h"
#include "util/numth.h"
#include "util/polyarith.h"
#include "util/scratch.h"
#include "util/simd.h"

namespace veil::he {
namespace {

using cd_t = std::complex<double>;

// e^(2 pi i k / m), built from a table covering one eighth of the circle and the circle's
// symmetries, as SEAL does, so encodings agree with SEAL's to the last bit.
class UnitRoots {
public:
    explicit UnitRoots(std::size_t m) : m_(m), table_(m / 8 + 1) {
        const double pi = 3.1415926535897932384626433832795028842;
        for (std::size_t i = 0; i <= m / 8; ++i)
            table_[i] = std::polar<double>(1.0, 2 * pi * double(i) / double(m));
    }
    cd_t get(std::size_t k) const {
        k &= m_ - 1;
        if (k <= m_ / 8) return table_[k];
        if (k <= m_ / 4) {
            cd_t a = table_[m_ / 4 - k];
            return {a.imag(), a.real()};
        }
        if (k <= m_ / 2) return -std::conj(get(m_ / 2 - k));
        if (k <= 3 * m_ / 4) return -get(k - m_ / 2);
        return std::conj(get(m_ - k));
    }

private:
    std::size_t m_;
    std::vector<cd_t> table_;
};

inline cd_t cmul(cd_t a, cd_t b) {
    return {a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real()};
}

// The Gentleman-Sande butterflies of one group: x = v[0, gap), y = v[gap, 2 gap).
inline void inverse_butterflies(cd_t* x, std::size_t gap, cd_t w) {
    cd_t* y = x + gap;
    for (std::size_t j = 0; j < gap; ++j) {
        cd_t u = x[j], t = y[j];
        x[j] = u + t;
        y[j] = cmul(u - t, w);
    }
}

// Gentleman-Sande inverse transform: bit-reversed input, natural output, every output times `scalar`.
// roots[1..n-1] are consumed in order.
void fft_from_rev(cd_t* v, std::size_t n, const cd_t* roots, double scalar) {
    std::size_t gap = 1, r = 0;
    for (std::size_t m = n >> 1; m > 1; m >>= 1, gap <<= 1) {
        for (std::size_t i = 0, off = 0; i < m; ++i, off += 2 * gap) {
            inverse_butterflies(v + off, gap, roots[++r]);
        }
    }
    const cd_t w = roots[++r];
    const cd_t ws = {w.real() * scalar, w.imag() * scalar};
    for (std::size_t j = 0; j < gap; ++j) {
        cd_t u = v[j], t = v[j + gap];
        cd_t s = u + t;
        v[j] = {s.real() * scalar, s.imag() * scalar};
        v[j + gap] = cmul(u - t, ws);
    }
}

// The same transform with four butterflies per AVX-512 vector wherever a span holds four complex values.
// Each lane computes the scalar code's operations in the same order, without fused multiply-adds, so the
// output is bit for bit the scalar one (IEEE sums and products are correctly rounded and commutative).
#define VEIL_AVX512_FP __attribute__((target("avx512f,avx512dq")))

// (u - t) * w for four complex values, as cmul: re = dr wr - di wi, im = di wr + dr wi.
VEIL_AVX512_FP inline __m512d cmul4(__m512d d, __m512d wr, __m512d wi) {
    const __m512d p1 = _mm512_mul_pd(d, wr);
    const __m512d p2 = _mm512_mul_pd(_mm512_permute_pd(d, 0x55), wi);
    return _mm512_mask_add_pd(_mm512_sub_pd(p1, p2), 0xAA, p1, p2);
}

// One stage's butterflies for the groups [first, last) of span `gap` (group i uses roots[r + i]).
VEIL_AVX512_FP inline void fft_stage_avx512(cd_t* v, std::size_t gap, std::size_t first, std::size_t last,
                                            const cd_t* roots) {
    double* d = reinterpret_cast<double*>(v);
    for (std::size_t i = first; i < last; ++i) {
        const cd_t w = roots[i];
        const std::size_t off = i * 2 * gap;
        if (gap < 4) {
            inverse_butterflies(v + off, gap, w);
            continue;
        }
        const __m512d wr = _mm512_set1_pd(w.real()), wi = _mm512_set1_pd(w.imag());
        double* x = d + 2 * off;
        double* y = x + 2 * gap;
        for (std::size_t j = 0; j < 2 * gap; j += 8) {
            const __m512d u = _mm512_loadu_pd(x + j), t = _mm512_loadu_pd(y + j);
            _mm512_storeu_pd(x + j, _mm512_add_pd(u, t));
            _mm512_storeu_pd(y + j, cmul4(_mm512_sub_pd(u, t), wr, wi));
        }
    }
}

// The stages whose groups fit in a block of kFftBlock values run block by block while the block is in
// the L1 cache; each butterfly still sees the same inputs, so the result is unchanged.
constexpr std::size_t kFftBlock = 2048;

VEIL_AVX512_FP void fft_from_rev_avx512(cd_t* v, std::size_t n, const cd_t* roots, double scalar) {
    double* d = reinterpret_cast<double*>(v);
    const std::size_t block = std::min(n, kFftBlock);
    std::size_t gap = 1, r = 1;  // r: index of the current stage's first root
    for (std::size_t b = 0; b < n; b += block) {
        std::size_t g = 1, rs = 1;
        for (std::size_t m = n >> 1; m > 1 && 2 * g <= block; m >>= 1, g <<= 1) {
            const std::size_t first = b / (2 * g);
            fft_stage_avx512(v, g, first, first + block / (2 * g), roots + rs);
            rs += m;
        }
        gap = g;
        r = rs;
    }
    for (std::size_t m = n / (2 * gap); m > 1; m >>= 1, gap <<= 1) {
        fft_stage_avx512(v, gap, 0, m, roots + r);
        r += m;
    }
    const cd_t w = roots[r];
    const __m512d wr = _mm512_set1_pd(w.real() * scalar), wi = _mm512_set1_pd(w.imag() * scalar);
    const __m512d sc = _mm512_set1_pd(scalar);
    for (std::size_t j = 0; j < 2 * gap; j += 8) {
        const __m512d u = _mm512_loadu_pd(d + j), t = _mm512_loadu_pd(d + 2 * gap + j);
        _mm512_storeu_pd(d + j, _mm512_mul_pd(_mm512_add_pd(u, t), sc));
        _mm512_storeu_pd(d + 2 * gap + j, cmul4(_mm512_sub_pd(u, t), wr, wi));
    }
}

// Rounds the real parts of n complex values (n a multiple of 8) half away from zero, as std::round, into
// signed 64-bit integers; all magnitudes are below 2^62. trunc(x) and x - trunc(x) are exact, and so is
// trunc(x) +- 1 below 2^53 (above, x is already an integer and the difference is 0).
VEIL_AVX512_FP void round_real_parts(const cd_t* v, std::size_t n, int64_t* out) {
    const double* d = reinterpret_cast<const double*>(v);
    const __m512i reals = _mm512_set_epi64(14, 12, 10, 8, 6, 4, 2, 0);
    const __m512d half = _mm512_set1_pd(0.5), one = _mm512_set1_pd(1.0);
    const __m512d sign_bit = _mm512_set1_pd(-0.0);
    for (std::size_t i = 0; i < n; i += 8) {
        const __m512d x = _mm512_permutex2var_pd(_mm512_loadu_pd(d + 2 * i), reals, _mm512_loadu_pd(d + 2 * i + 8));
        const __m512d t = _mm512_roundscale_pd(x, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
        const __m512d frac = _mm512_abs_pd(_mm512_sub_pd(x, t));
        const __mmask8 up = _mm512_cmp_pd_mask(frac, half, _CMP_GE_OQ);
        const __m512d step = _mm512_or_pd(one, _mm512_and_pd(x, sign_bit));  // +-1 with x's sign
        const __m512d rounded = _mm512_mask_add_pd(t, up, t, step);
        _mm512_storeu_si512(out + i, _mm512_cvttpd_epi64(rounded));
    }
}

// Cooley-Tukey forward transform: natural input, bit-reversed output; roots[1..n-1] in order.
void fft_to_rev(cd_t* v, std::size_t n, const cd_t* roots) {
    std::size_t gap = n >> 1, r = 0;
    for (std::size_t m = 1; m < n; m <<= 1, gap >>= 1) {
        for (std::size_t i = 0, off = 0; i < m; ++i, off += 2 * gap) {
            const cd_t w = roots[++r];
            cd_t* x = v + off;
            cd_t* y = x + gap;
            for (std::size_t j = 0; j < gap; ++j) {
                cd_t u = x[j], t = cmul(y[j], w);
                x[j] = u + t;
                y[j] = u - t;
            }
        }
    }
}

void check_scale(double scale, const ContextData& cd) {
    require(scale > 0 && std::isfinite(scale) && int(std::log2(scale)) + 1 < cd.total_coeff_modulus_bit_count(),
            "scale " + std::to_string(scale) + " is out of bounds for this level (" +
                std::to_string(cd.total_coeff_modulus_bit_count()) + " modulus bits)");
}

}  // namespace

CkksEncoder::CkksEncoder(std::shared_ptr<const Context> context) : context_(std::move(context)) {
    require(context_ != nullptr, "encoder needs a context");
    const ContextData& top = context_->key_data();
    n_ = top.n();
    slots_ = n_ / 2;
    log_n_ = top.log_n();
    const uint64_t m = 2 * uint64_t(n_);
    index_map_.resize(n_);
    uint64_t pos = 1;
    for (std::size_t i = 0; i < slots_; ++i) {
        index_map_[i] = std::size_t(util::reverse_bits((pos - 1) >> 1, log_n_));
        index_map_[slots_ + i] = std::size_t(util::reverse_bits((m - pos - 1) >> 1, log_n_));
        pos = (pos * 3) & (m - 1);
    }
    root_powers_.assign(n_, cd_t(0, 0));
    inv_root_powers_.assign(n_, cd_t(0, 0));
    if (m >= 8) {
        UnitRoots roots(m);
        for (std::size_t i = 1; i < n_; ++i) {
            root_powers_[i] = roots.get(util::reverse_bits(i, log_n_));
            inv_root_powers_[i] = std::conj(roots.get(util::reverse_bits(i - 1, log_n_) + 1));
        }
    } else {
        root_powers_[1] = {0, 1};
        inv_root_powers_[1] = {0, -1};
    }
    rns_.resize(context_->key_data().chain_index() + 1);
    for (const ContextData* cd = &context_->key_data(); cd; cd = cd->next())
        rns_[cd->chain_index()] = std::make_unique<util::RnsBase>(cd->moduli());
}

void CkksEncoder::encode(const double* values, std::size_t count, const ParmsId& parms_id, double scale,
                         Plaintext& out) const {
    require(count <= slots_, "too many values: " + std::to_string(count) + " > " + std::to_string(slots_) + " slots");
    std::vector<cd_t> c(count);
    for (std::size_t i = 0; i < count; ++i) c[i] = cd_t(values[i], 0.0);
    encode(c.data(), count, parms_id, scale, out);
}

void CkksEncoder::encode(const cd_t* values, std::size_t count, const ParmsId& parms_id, double scale,
                         Plaintext& out) const {
    const ContextData& cd = context_->at(parms_id);
    require(count <= slots_, "too many values: " + std::to_string(count) + " > " + std::to_string(slots_) + " slots");
    check_scale(scale, cd);
    std::vector<cd_t> v(n_, cd_t(0, 0));
    for (std::size_t i = 0; i < count; ++i) {
        require(std::isfinite(values[i].real()) && std::isfinite(values[i].imag()), "values must be finite");
        v[index_map_[i]] = values[i];
        v[index_map_[i + slots_]] = std::conj(values[i]);
    }
    if (util::use_ifma() && n_ >= 8)
        fft_from_rev_avx512(v.data(), n_, inv_root_powers_.data(), scale / double(n_));
    else
        fft_from_rev(v.data(), n_, inv_root_powers_.data(), scale / double(n_));
    to_rns(v, cd, out);
    out.parms_id = parms_id;
    out.scale = scale;
}

void CkksEncoder::to_rns(const std::vector<cd_t>& coeffs, const ContextData& cd, Plaintext& out) const {
    const std::size_t k = cd.size();
    const auto& q = cd.moduli();
    double max_coeff = 0;
    for (const auto& c : coeffs) max_coeff = std::max(max_coeff, std::fabs(c.real()));
    // One extra bit for the sign, as SEAL.
    int max_bits = int(std::ceil(std::log2(std::max(max_coeff, 1.0)))) + 1;
    require(max_bits < cd.total_coeff_modulus_bit_count(), "encoded values are too large for this level and scale");

    out.parms_id = kParmsIdZero;
    out.coeff_count = n_ * k;
    out.data.resize(n_ * k);  // every word is written below
    if (max_bits <= 63 && util::use_ifma() && n_ % 8 == 0) {
        // Every coefficient fits a signed 64-bit word: round them all, then reduce per prime.
        int64_t* rounded = reinterpret_cast<int64_t*>(util::scratch(util::Scratch::encode_rounded, n_));
        round_real_parts(coeffs.data(), n_, rounded);
        for (std::size_t j = 0; j < k; ++j) {
            util::reduce_signed_poly(rounded, out.data.data() + j * n_, n_, q[j]);
            cd.ntt(j).forward(out.data.data() + j * n_);
        }
        return;
    }
    const double two64 = 18446744073709551616.0;
    std::vector<uint64_t> words(k + 1), residues(k);
    for (std::size_t i = 0; i < n_; ++i) {
        double c = std::round(coeffs[i].real());
        const bool negative = std::signbit(c);
        c = std::fabs(c);
        if (max_bits <= 64) {
            const uint64_t u = uint64_t(c);
            for (std::size_t j = 0; j < k; ++j) residues[j] = q[j].reduce(u);
        } else if (max_bits <= 128) {
            const util::u128 u = util::u128(uint64_t(std::fmod(c, two64))) | util::u128(uint64_t(c / two64)) << 64;
            for (std::size_t j = 0; j < k; ++j) residues[j] = q[j].reduce(u);
        } else {
            std::fill(words.begin(), words.end(), 0);
            for (std::size_t w = 0; c >= 1 && w < words.size(); ++w) {
                words[w] = uint64_t(std::fmod(c, two64));
                c /= two64;
            }
            rns_at(cd).decompose(words.data(), words.size(), residues.data());
        }
        for (std::size_t j = 0; j < k; ++j)
            out.data[j * n_ + i] = negative ? util::neg_mod(residues[j], q[j].value()) : residues[j];
    }
    for (std::size_t j = 0; j < k; ++j) cd.ntt(j).forward(out.data.data() + j * n_);
}

void CkksEncoder::encode(double value, const ParmsId& parms_id, double scale, Plaintext& out) const {
    const ContextData& cd = context_->at(parms_id);
    check_scale(scale, cd);
    require(std::isfinite(value), "value must be finite");
    value *= scale;
    // A constant polynomial is the same constant in NTT form: reduce the one coefficient.
    const std::size_t k = cd.size();
    int bits = value == 0 ? 0 : int(std::log2(std::fabs(value))) + 2;
    require(bits < cd.total_coeff_modulus_bit_count(), "encoded value is too large for this level and scale");
    double c = std::round(value);
    const bool negative = std::signbit(c);
    c = std::fabs(c);
    const double two64 = 18446744073709551616.0;
    std::vector<uint64_t> words(k + 1, 0), residues(k);
    for (std::size_t w = 0; c >= 1 && w < words.size(); ++w) {
        words[w] = uint64_t(std::fmod(c, two64));
        c /= two64;
    }
    rns_at(cd).decompose(words.data(), words.size(), residues.data());
    out.data.assign(n_ * k, 0);
    for (std::size_t j = 0; j < k; ++j) {
        uint64_t r = negative ? util::neg_mod(residues[j], cd.moduli()[j].value()) : residues[j];
        std::fill(out.data.begin() + j * n_, out.data.begin() + (j + 1) * n_, r);
    }
    out.coeff_count = n_ * k;
    out.parms_id = parms_id;
    out.scale = scale;
}

void CkksEncoder::decode(const Plaintext& plain, std::vector<cd_t>& out) const {
    require(plain.is_ntt_form(), "plaintext is not in NTT form");
    const ContextData& cd = context_->at(plain.parms_id);
    const std::size_t k = cd.size();
    require(plain.coeff_count == n_ * k && plain.data.size() == n_ * k, "plaintext size does not match its level");
    check_scale(plain.scale, cd);
    std::vector<uint64_t> coeffs(plain.data.begin(), plain.data.end());
    for (std::size_t j = 0; j < k; ++j) cd.ntt(j).inverse(coeffs.data() + j * n_);

    const util::RnsBase& base = rns_at(cd);
    const std::vector<uint64_t>& big_q = base.product();
    // Values at or above ceil(Q/2) stand for negatives: x - Q.
    std::vector<uint64_t> half(big_q);
    {
        uint64_t carry = 1;  // (Q + 1) / 2
        for (std::size_t w = 0; w < k && carry; ++w) carry = (++half[w] == 0);
        for (std::size_t w = 0; w < k; ++w) half[w] = (half[w] >> 1) | (w + 1 < k ? half[w + 1] << 63 : 0);
    }
    const double inv_scale = 1.0 / plain.scale, two64 = 18446744073709551616.0;
    std::vector<cd_t> v(n_);
    std::vector<uint64_t> residues(k), x(k);
    for (std::size_t i = 0; i < n_; ++i) {
        for (std::size_t j = 0; j < k; ++j) residues[j] = coeffs[j * n_ + i];
        base.compose(residues.data(), x.data());
        bool negative = false;
        for (std::size_t w = k; w-- > 0;) {
            if (x[w] != half[w]) {
                negative = x[w] > half[w];
                break;
            }
            if (w == 0) negative = true;
        }
        if (negative) {  // x = Q - x
            uint64_t borrow = 0;
            for (std::size_t w = 0; w < k; ++w) {
                uint64_t d = big_q[w] - x[w] - borrow;
                borrow = (big_q[w] < x[w]) || (big_q[w] - x[w] < borrow);
                x[w] = d;
            }
        }
        double value = 0, weight = inv_scale;
        for (std::size_t w = 0; w < k; ++w, weight *= two64) value += double(x[w]) * weight;
        v[i] = cd_t(negative ? -value : value, 0);
    }
    fft_to_rev(v.data(), n_, root_powers_.data());
    out.resize(slots_);
    for (std::size_t i = 0; i < slots_; ++i) out[i] = v[index_map_[i]];
}

void CkksEncoder::decode(const Plaintext& plain, std::vector<double>& out) const {
    std::vector<cd_t> c;
    decode(plain, c);
    out.resize(c.size());
    for (std::size_t i = 0; i < c.size(); ++i) out[i] = c[i].real();
}

}  // namespace veil::he
