#include "he/encoder.h"

#include <cmath>

#include "he/error.h"
#include "util/numth.h"

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

// Gentleman-Sande inverse transform: bit-reversed input, natural output, every output times `scalar`.
// roots[1..n-1] are consumed in order.
void fft_from_rev(cd_t* v, std::size_t n, const cd_t* roots, double scalar) {
    std::size_t gap = 1, r = 0;
    for (std::size_t m = n >> 1; m > 1; m >>= 1, gap <<= 1) {
        for (std::size_t i = 0, off = 0; i < m; ++i, off += 2 * gap) {
            const cd_t w = roots[++r];
            cd_t* x = v + off;
            cd_t* y = x + gap;
            for (std::size_t j = 0; j < gap; ++j) {
                cd_t u = x[j], t = y[j];
                x[j] = u + t;
                y[j] = cmul(u - t, w);
            }
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
    out.data.assign(n_ * k, 0);
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
    std::vector<uint64_t> coeffs(plain.data);
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
