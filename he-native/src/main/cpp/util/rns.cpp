#include "util/rns.h"

#include <algorithm>

namespace veil::he::util {
namespace {

// value (k words) *= w; returns the carry-out word.
uint64_t mul_words(uint64_t* value, std::size_t k, uint64_t w) {
    uint64_t carry = 0;
    for (std::size_t i = 0; i < k; ++i) {
        u128 t = u128(value[i]) * w + carry;
        value[i] = uint64_t(t);
        carry = uint64_t(t >> 64);
    }
    return carry;
}

// acc (k words) += b * w; returns the carry-out word.
uint64_t muladd_words(uint64_t* acc, const uint64_t* b, std::size_t k, uint64_t w) {
    uint64_t carry = 0;
    for (std::size_t i = 0; i < k; ++i) {
        u128 t = u128(b[i]) * w + acc[i] + carry;
        acc[i] = uint64_t(t);
        carry = uint64_t(t >> 64);
    }
    return carry;
}

bool geq_words(const uint64_t* a, uint64_t a_top, const uint64_t* b, std::size_t k) {
    if (a_top) return true;
    for (std::size_t i = k; i-- > 0;)
        if (a[i] != b[i]) return a[i] > b[i];
    return true;
}

void sub_words(uint64_t* a, const uint64_t* b, std::size_t k) {
    uint64_t borrow = 0;
    for (std::size_t i = 0; i < k; ++i) {
        uint64_t d = a[i] - b[i] - borrow;
        borrow = (a[i] < b[i]) || (a[i] - b[i] < borrow);
        a[i] = d;
    }
}

}  // namespace

RnsBase::RnsBase(const std::vector<Modulus>& moduli) : moduli_(moduli) {
    const std::size_t k = moduli_.size();
    product_.assign(k, 0);
    product_[0] = 1;
    for (const auto& m : moduli_) mul_words(product_.data(), k, m.value());
    punctured_.assign(k * k, 0);
    for (std::size_t j = 0; j < k; ++j) {
        uint64_t* p = punctured_.data() + j * k;
        p[0] = 1;
        uint64_t inv_arg = 1;
        for (std::size_t i = 0; i < k; ++i) {
            if (i == j) continue;
            mul_words(p, k, moduli_[i].value());
            inv_arg = mul_mod(inv_arg, moduli_[j].reduce(moduli_[i].value()), moduli_[j]);
        }
        inv_punctured_.emplace_back(k == 1 ? 1 : inv_mod(inv_arg, moduli_[j].value()), moduli_[j].value());
    }
}

void RnsBase::decompose(const uint64_t* value, std::size_t count, uint64_t* residues) const {
    for (std::size_t j = 0; j < moduli_.size(); ++j) {
        uint64_t r = 0;
        for (std::size_t i = count; i-- > 0;) r = moduli_[j].reduce(u128(r) << 64 | value[i]);
        residues[j] = r;
    }
}

void RnsBase::compose(const uint64_t* residues, uint64_t* value) const {
    const std::size_t k = moduli_.size();
    std::fill(value, value + k, 0);
    for (std::size_t j = 0; j < k; ++j) {
        uint64_t f = mul_shoup(residues[j], inv_punctured_[j], moduli_[j].value());
        // Each term is below Q, so the running sum stays below 2Q and one subtraction keeps it in [0, Q).
        uint64_t top = muladd_words(value, punctured_.data() + j * k, k, f);
        if (geq_words(value, top, product_.data(), k)) sub_words(value, product_.data(), k);
    }
}

}  // namespace veil::he::util
