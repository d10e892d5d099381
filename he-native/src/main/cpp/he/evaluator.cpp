#include "he/evaluator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "he/error.h"
#include "he/rlwe.h"
#include "util/galois.h"
#include "util/numth.h"
#include "util/polyarith.h"

namespace veil::he {

// The target polynomial of a key switch, split into one digit per prime of its level (the residue
// mod q_j read as an integer), each digit reduced mod every prime of the level and the special
// prime and NTT-transformed: digit(i, j) for output modulus i (0..L, L = special) and digit j.
struct Evaluator::Decomposition {
    std::size_t n = 0, levels = 0;
    std::vector<uint64_t> data;
    const uint64_t* digit(std::size_t i, std::size_t j) const { return data.data() + (i * levels + j) * n; }
    uint64_t* digit(std::size_t i, std::size_t j) { return data.data() + (i * levels + j) * n; }
};

namespace {

bool same_scale(double a, double b) {
    const double factor = std::max({std::fabs(a), std::fabs(b), 1.0});
    return std::fabs(a - b) < std::numeric_limits<double>::epsilon() * factor;
}

void check_scale_bound(double scale, const ContextData& cd) {
    require(scale > 0 && int(std::log2(scale)) < cd.total_coeff_modulus_bit_count(),
            "scale out of bounds: the result's scale 2^" + std::to_string(std::log2(scale)) +
                " does not fit in the level's " + std::to_string(cd.total_coeff_modulus_bit_count()) + " bits");
}

const ContextData& check_plain(const Context& context, const Plaintext& p) {
    require(p.is_ntt_form(), "plaintext must be in NTT form (CKKS)");
    const ContextData* cd = context.get(p.parms_id);
    require(cd != nullptr, "plaintext does not belong to this context (unknown parms_id)");
    require(p.data.size() == cd->n() * cd->size(), "plaintext size does not match its level");
    return *cd;
}

void check_same_level_and_scale(const Ciphertext& a, const ParmsId& b_id, double b_scale, const char* op) {
    require(a.parms_id == b_id, std::string(op) + ": operands are at different levels (parms_id mismatch); "
                                                  "mod_switch_to or rescale first");
    require(same_scale(a.scale, b_scale), std::string(op) + ": operands have different scales (" +
                                              std::to_string(a.scale) + " vs " + std::to_string(b_scale) + ")");
}

}  // namespace

Evaluator::Evaluator(std::shared_ptr<const Context> context) : context_(std::move(context)) {
    require(context_ != nullptr, "evaluator needs a context");
}

void Evaluator::negate_inplace(Ciphertext& a) const {
    const ContextData& cd = detail::check_ciphertext(*context_, a, "ciphertext");
    for (std::size_t p = 0; p < a.size; ++p)
        for (std::size_t j = 0; j < cd.size(); ++j)
            util::negate_poly(a.rns(p, j), a.rns(p, j), cd.n(), cd.moduli()[j].value());
    a.seed_type = PrngType::unknown;
}

void Evaluator::add_inplace(Ciphertext& a, const Ciphertext& b) const {
    const ContextData& cd = detail::check_ciphertext(*context_, a, "first operand");
    detail::check_ciphertext(*context_, b, "second operand");
    check_same_level_and_scale(a, b.parms_id, b.scale, "add");
    const std::size_t n = cd.n(), k = cd.size();
    if (b.size > a.size) {
        a.data.resize(b.size * n * k, 0);
        a.size = b.size;
    }
    for (std::size_t p = 0; p < b.size; ++p)
        for (std::size_t j = 0; j < k; ++j) util::add_poly(a.rns(p, j), b.rns(p, j), a.rns(p, j), n, cd.moduli()[j].value());
    a.seed_type = PrngType::unknown;
}

void Evaluator::sub_inplace(Ciphertext& a, const Ciphertext& b) const {
    const ContextData& cd = detail::check_ciphertext(*context_, a, "first operand");
    detail::check_ciphertext(*context_, b, "second operand");
    check_same_level_and_scale(a, b.parms_id, b.scale, "sub");
    const std::size_t n = cd.n(), k = cd.size();
    if (b.size > a.size) {
        a.data.resize(b.size * n * k, 0);
        a.size = b.size;
    }
    for (std::size_t p = 0; p < b.size; ++p)
        for (std::size_t j = 0; j < k; ++j) util::sub_poly(a.rns(p, j), b.rns(p, j), a.rns(p, j), n, cd.moduli()[j].value());
    a.seed_type = PrngType::unknown;
}

void Evaluator::add_plain_inplace(Ciphertext& a, const Plaintext& pt) const {
    const ContextData& cd = detail::check_ciphertext(*context_, a, "ciphertext");
    check_plain(*context_, pt);
    check_same_level_and_scale(a, pt.parms_id, pt.scale, "add_plain");
    for (std::size_t j = 0; j < cd.size(); ++j)
        util::add_poly(a.rns(0, j), pt.rns(j, cd.n()), a.rns(0, j), cd.n(), cd.moduli()[j].value());
    a.seed_type = PrngType::unknown;
}

void Evaluator::sub_plain_inplace(Ciphertext& a, const Plaintext& pt) const {
    const ContextData& cd = detail::check_ciphertext(*context_, a, "ciphertext");
    check_plain(*context_, pt);
    check_same_level_and_scale(a, pt.parms_id, pt.scale, "sub_plain");
    for (std::size_t j = 0; j < cd.size(); ++j)
        util::sub_poly(a.rns(0, j), pt.rns(j, cd.n()), a.rns(0, j), cd.n(), cd.moduli()[j].value());
    a.seed_type = PrngType::unknown;
}

void Evaluator::multiply_plain_inplace(Ciphertext& a, const Plaintext& pt) const {
    const ContextData& cd = detail::check_ciphertext(*context_, a, "ciphertext");
    check_plain(*context_, pt);
    require(a.parms_id == pt.parms_id, "multiply_plain: operands are at different levels (parms_id mismatch)");
    const double scale = a.scale * pt.scale;
    check_scale_bound(scale, cd);
    for (std::size_t p = 0; p < a.size; ++p)
        for (std::size_t j = 0; j < cd.size(); ++j)
            util::multiply_poly(a.rns(p, j), pt.rns(j, cd.n()), a.rns(p, j), cd.n(), cd.moduli()[j]);
    a.scale = scale;
    a.seed_type = PrngType::unknown;
}

void Evaluator::multiply_inplace(Ciphertext& a, const Ciphertext& b) const {
    const ContextData& cd = detail::check_ciphertext(*context_, a, "first operand");
    detail::check_ciphertext(*context_, b, "second operand");
    require(a.parms_id == b.parms_id, "multiply: operands are at different levels (parms_id mismatch)");
    const std::size_t out_size = a.size + b.size - 1;
    require(out_size <= 16, "multiply: result would exceed 16 polynomials; relinearize first");
    const double scale = a.scale * b.scale;
    check_scale_bound(scale, cd);
    const std::size_t n = cd.n(), k = cd.size();
    Ciphertext r;
    r.resize(a.parms_id, out_size, n, k);
    util::MulAccumulator acc(n);
    for (std::size_t j = 0; j < k; ++j) {
        const util::Modulus& q = cd.moduli()[j];
        for (std::size_t d = 0; d < out_size; ++d) {
            acc.reset();
            for (std::size_t x = 0; x < a.size; ++x) {
                if (d < x || d - x >= b.size) continue;
                acc.add(a.rns(x, j), b.rns(d - x, j), q);
            }
            acc.finish(r.rns(d, j), q);
        }
    }
    r.is_ntt_form = true;
    r.scale = scale;
    r.correction_factor = 1;
    a = std::move(r);
}

void Evaluator::square_inplace(Ciphertext& a) const {
    const ContextData& cd = detail::check_ciphertext(*context_, a, "ciphertext");
    if (a.size != 2) {
        const Ciphertext copy = a;
        multiply_inplace(a, copy);
        return;
    }
    const double scale = a.scale * a.scale;
    check_scale_bound(scale, cd);
    const std::size_t n = cd.n(), k = cd.size();
    a.data.resize(3 * n * k);
    a.size = 3;
    std::vector<uint64_t> t(n);
    for (std::size_t j = 0; j < k; ++j) {
        const util::Modulus& q = cd.moduli()[j];
        uint64_t *c0 = a.rns(0, j), *c1 = a.rns(1, j), *c2 = a.rns(2, j);
        util::multiply_poly(c1, c1, c2, n, q);
        util::multiply_poly(c0, c1, t.data(), n, q);
        util::add_poly(t.data(), t.data(), c1, n, q.value());
        util::multiply_poly(c0, c0, c0, n, q);
    }
    a.scale = scale;
    a.seed_type = PrngType::unknown;
}

// ---------------------------------------------------------------------------------------------
// Key switching.

void Evaluator::check_kswitch_key(const ContextData& cd, const KSwitchKeys& keys, std::size_t index,
                                  const char* what) const {
    require(context_->using_keyswitching(), "key switching needs a special prime (at least two primes)");
    const ContextData& kd = context_->key_data();
    require(keys.parms_id == kd.parms_id(), std::string(what) + " belong to another context (parms_id mismatch)");
    require(index < keys.keys.size() && !keys.keys[index].empty(), std::string(what) + ": the needed key is absent");
    const auto& vec = keys.keys[index];
    require(vec.size() >= cd.size(), std::string(what) + ": key has too few decomposition components");
    for (std::size_t j = 0; j < cd.size(); ++j) {
        const Ciphertext& c = vec[j].data;
        require(c.parms_id == kd.parms_id() && c.size == 2 && c.poly_modulus_degree == kd.n() &&
                    c.coeff_modulus_size == kd.size() && c.data.size() == 2 * kd.n() * kd.size(),
                std::string(what) + ": key component has the wrong shape");
    }
}

void Evaluator::decompose(const ContextData& cd, const uint64_t* target, Decomposition& d) const {
    const ContextData& kd = context_->key_data();
    const std::size_t n = cd.n(), L = cd.size(), special = kd.size() - 1;
    d.n = n;
    d.levels = L;
    d.data.resize((L + 1) * L * n);
    std::vector<uint64_t> coeff(target, target + L * n);
    for (std::size_t j = 0; j < L; ++j) cd.ntt(j).inverse(coeff.data() + j * n);
    for (std::size_t i = 0; i <= L; ++i) {
        const std::size_t ki = i < L ? i : special;
        const util::Modulus& qi = kd.moduli()[ki];
        for (std::size_t j = 0; j < L; ++j) {
            uint64_t* dst = d.digit(i, j);
            if (i == j) {
                std::copy(target + j * n, target + (j + 1) * n, dst);
                continue;
            }
            if (kd.moduli()[j].value() <= qi.value())
                std::copy(coeff.begin() + j * n, coeff.begin() + (j + 1) * n, dst);
            else
                util::reduce_poly(coeff.data() + j * n, dst, n, qi);
            kd.ntt(ki).forward(dst);
        }
    }
}

void Evaluator::switch_key(const ContextData& cd, const Decomposition& d, const uint32_t* perm,
                           const std::vector<PublicKey>& key, uint64_t* out0, uint64_t* out1) const {
    const ContextData& kd = context_->key_data();
    const std::size_t n = cd.n(), L = cd.size(), special = kd.size() - 1;
    // Products accumulated mod each prime of the level and mod the special prime P.
    std::vector<uint64_t> t0((L + 1) * n), t1((L + 1) * n);
    util::MulAccumulator acc0(n), acc1(n);
    for (std::size_t i = 0; i <= L; ++i) {
        const std::size_t ki = i < L ? i : special;
        const util::Modulus& qi = kd.moduli()[ki];
        acc0.reset();
        acc1.reset();
        for (std::size_t j = 0; j < L; ++j) {
            const uint64_t* digit = d.digit(i, j);
            const Ciphertext& kj = key[j].data;
            acc0.add_permuted(digit, perm, kj.rns(0, ki), qi);
            acc1.add_permuted(digit, perm, kj.rns(1, ki), qi);
        }
        acc0.finish(t0.data() + i * n, qi);
        acc1.finish(t1.data() + i * n, qi);
    }
    // Divide by P with rounding: (t_i - round-corrected (t_P mod q_i)) * P^-1 mod q_i.
    const util::Modulus& p = kd.moduli()[special];
    const uint64_t half = p.value() >> 1;
    std::vector<uint64_t> tmp(n);
    for (int c = 0; c < 2; ++c) {
        std::vector<uint64_t>& t = c == 0 ? t0 : t1;
        uint64_t* out = c == 0 ? out0 : out1;
        uint64_t* last = t.data() + L * n;
        kd.ntt(special).inverse(last);
        for (std::size_t x = 0; x < n; ++x) {
            uint64_t v = last[x] + half;
            last[x] = v - ((v >= p.value()) ? p.value() : 0);
        }
        for (std::size_t i = 0; i < L; ++i) {
            const util::Modulus& qi = kd.moduli()[i];
            if (p.value() > qi.value())
                util::reduce_poly(last, tmp.data(), n, qi);
            else
                std::copy(last, last + n, tmp.data());
            const uint64_t half_i = qi.reduce(half);
            for (auto& v : tmp) v = util::sub_mod(v, half_i, qi.value());
            kd.ntt(i).forward(tmp.data());
            uint64_t* o = out + i * n;
            util::sub_poly(t.data() + i * n, tmp.data(), o, n, qi.value());
            util::multiply_poly_scalar(o, kd.inv_last_mod()[i], o, n, qi.value());
        }
    }
}

void Evaluator::relinearize_inplace(Ciphertext& a, const RelinKeys& keys) const {
    const ContextData& cd = detail::check_ciphertext(*context_, a, "ciphertext");
    const std::size_t n = cd.n(), L = cd.size();
    std::vector<uint64_t> k0(n * L), k1(n * L);
    Decomposition d;
    while (a.size > 2) {
        const std::size_t index = RelinKeys::index_of_power(a.size - 1);
        check_kswitch_key(cd, keys, index, "relinearization keys");
        decompose(cd, a.poly(a.size - 1), d);
        switch_key(cd, d, nullptr, keys.keys[index], k0.data(), k1.data());
        for (std::size_t j = 0; j < L; ++j) {
            const uint64_t q = cd.moduli()[j].value();
            util::add_poly(a.rns(0, j), k0.data() + j * n, a.rns(0, j), n, q);
            util::add_poly(a.rns(1, j), k1.data() + j * n, a.rns(1, j), n, q);
        }
        --a.size;
        a.data.resize(a.size * n * L);
    }
    a.seed_type = PrngType::unknown;
}

std::shared_ptr<const std::vector<uint32_t>> Evaluator::permutation(uint64_t galois_elt) const {
    {
        std::lock_guard<std::mutex> lock(perm_mutex_);
        auto it = perms_.find(galois_elt);
        if (it != perms_.end()) return it->second;
    }
    auto perm = std::make_shared<const std::vector<uint32_t>>(
        util::galois_permutation_ntt(galois_elt, context_->key_data().log_n()));
    std::lock_guard<std::mutex> lock(perm_mutex_);
    return perms_.emplace(galois_elt, std::move(perm)).first->second;
}

void Evaluator::apply_galois_decomposed(const ContextData& cd, const Ciphertext& a, const Decomposition& d,
                                        uint64_t galois_elt, const GaloisKeys& keys, Ciphertext& out) const {
    const std::size_t n = cd.n(), L = cd.size();
    const auto perm = permutation(galois_elt);
    out.resize(a.parms_id, 2, n, L);
    out.is_ntt_form = true;
    out.scale = a.scale;
    out.correction_factor = a.correction_factor;
    switch_key(cd, d, perm->data(), keys.keys[GaloisKeys::index_of(galois_elt)], out.poly(0), out.poly(1));
    for (std::size_t j = 0; j < L; ++j) {
        const uint64_t q = cd.moduli()[j].value();
        const uint64_t* src = a.rns(0, j);
        uint64_t* dst = out.rns(0, j);
        for (std::size_t x = 0; x < n; ++x) {
            uint64_t v = dst[x] + src[(*perm)[x]];
            dst[x] = v - ((v >= q) ? q : 0);
        }
    }
}

void Evaluator::apply_galois_inplace(Ciphertext& a, uint64_t galois_elt, const GaloisKeys& keys) const {
    const ContextData& cd = detail::check_ciphertext(*context_, a, "ciphertext");
    require(a.size == 2, "apply_galois needs a ciphertext of size 2; relinearize first");
    require((galois_elt & 1) && galois_elt < 2 * cd.n(), "Galois element " + std::to_string(galois_elt) + " is not valid");
    check_kswitch_key(cd, keys, GaloisKeys::index_of(galois_elt), "Galois keys");
    Decomposition d;
    decompose(cd, a.poly(1), d);
    Ciphertext out;
    apply_galois_decomposed(cd, a, d, galois_elt, keys, out);
    a = std::move(out);
}

void Evaluator::rotate_vector_inplace(Ciphertext& a, int steps, const GaloisKeys& keys) const {
    const ContextData& cd = detail::check_ciphertext(*context_, a, "ciphertext");
    // A foreign key set has other Galois elements too: say so instead of reporting a missing key.
    require(keys.parms_id == context_->key_data().parms_id(),
            "Galois keys belong to another context (parms_id mismatch)");
    const int slots = int(cd.n() / 2);
    if (steps == 0) return;
    const uint64_t elt = util::galois_elt_from_step(steps, cd.n());
    if (keys.has_key(elt)) {
        apply_galois_inplace(a, elt, keys);
        return;
    }
    // No key for this step: compose it from its power-of-two parts, and check them all first so that an
    // error names the step the caller asked for, not one of its parts.
    const std::vector<int> terms = util::naf(steps);
    std::string missing;
    for (int t : terms)
        if (std::abs(t) != slots && !keys.has_key(util::galois_elt_from_step(t, cd.n())))
            missing += (missing.empty() ? "" : ", ") + std::to_string(t);
    require(terms.size() > 1 && missing.empty(),
            "no Galois key for rotation by " + std::to_string(steps) + " steps" +
                (terms.size() > 1 ? " (nor for its parts " + missing + ")" : ""));
    for (int t : terms)
        if (std::abs(t) != slots) apply_galois_inplace(a, util::galois_elt_from_step(t, cd.n()), keys);
}

void Evaluator::complex_conjugate_inplace(Ciphertext& a, const GaloisKeys& keys) const {
    const ContextData& cd = detail::check_ciphertext(*context_, a, "ciphertext");
    apply_galois_inplace(a, util::galois_elt_from_step(0, cd.n()), keys);
}

std::vector<Ciphertext> Evaluator::rotate_many(const Ciphertext& a, const std::vector<int>& steps,
                                               const GaloisKeys& keys) const {
    const ContextData& cd = detail::check_ciphertext(*context_, a, "ciphertext");
    require(a.size == 2, "rotate_many needs a ciphertext of size 2; relinearize first");
    require(keys.parms_id == context_->key_data().parms_id(),
            "Galois keys belong to another context (parms_id mismatch)");
    std::vector<Ciphertext> out(steps.size());
    Decomposition d;
    bool decomposed = false;
    for (std::size_t s = 0; s < steps.size(); ++s) {
        if (steps[s] == 0) {
            out[s] = a;
            out[s].seed_type = PrngType::unknown;
            continue;
        }
        const uint64_t elt = util::galois_elt_from_step(steps[s], cd.n());
        if (!keys.has_key(elt)) {
            out[s] = a;
            rotate_vector_inplace(out[s], steps[s], keys);
            continue;
        }
        check_kswitch_key(cd, keys, GaloisKeys::index_of(elt), "Galois keys");
        if (!decomposed) {
            decompose(cd, a.poly(1), d);
            decomposed = true;
        }
        apply_galois_decomposed(cd, a, d, elt, keys, out[s]);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Level changes.

void Evaluator::rescale_to_next_inplace(Ciphertext& a) const {
    const ContextData& cd = detail::check_ciphertext(*context_, a, "ciphertext");
    const ContextData* next = cd.next();
    require(next != nullptr,
            "rescale: the ciphertext is at the last level of the modulus chain");
    const std::size_t n = cd.n(), L = cd.size();
    const double q_last = double(cd.moduli().back().value());
    Ciphertext r;
    r.resize(next->parms_id(), a.size, n, L - 1);
    for (std::size_t p = 0; p < a.size; ++p) {
        detail::divide_round_last_ntt(cd, a.poly(p));
        std::copy(a.poly(p), a.poly(p) + (L - 1) * n, r.poly(p));
    }
    r.is_ntt_form = true;
    r.scale = a.scale / q_last;
    r.correction_factor = a.correction_factor;
    a = std::move(r);
}

void Evaluator::mod_switch_to_next_inplace(Ciphertext& a) const {
    const ContextData& cd = detail::check_ciphertext(*context_, a, "ciphertext");
    require(cd.next() != nullptr,
            "mod_switch: the ciphertext is at the last level of the modulus chain");
    mod_switch_to_inplace(a, cd.next()->parms_id());
}

void Evaluator::mod_switch_to_inplace(Ciphertext& a, const ParmsId& parms_id) const {
    const ContextData& cd = detail::check_ciphertext(*context_, a, "ciphertext");
    const ContextData* target = context_->get(parms_id);
    require(target != nullptr, "mod_switch: target parms_id is not in this context's chain");
    require(target->chain_index() <= cd.chain_index(), "mod_switch: cannot switch to a higher level");
    if (target == &cd) return;
    const std::size_t n = cd.n(), T = target->size();
    // Data in NTT form at fewer primes is the prefix of each polynomial's components.
    std::vector<uint64_t> data(a.size * T * n);
    for (std::size_t p = 0; p < a.size; ++p) std::copy(a.poly(p), a.poly(p) + T * n, data.data() + p * T * n);
    a.data = std::move(data);
    a.coeff_modulus_size = T;
    a.parms_id = parms_id;
    a.seed_type = PrngType::unknown;
}

void Evaluator::mod_switch_to_inplace(Plaintext& pt, const ParmsId& parms_id) const {
    const ContextData& cd = check_plain(*context_, pt);
    const ContextData* target = context_->get(parms_id);
    require(target != nullptr, "mod_switch: target parms_id is not in this context's chain");
    require(target->chain_index() <= cd.chain_index(), "mod_switch: cannot switch to a higher level");
    pt.data.resize(target->size() * cd.n());
    pt.coeff_count = pt.data.size();
    pt.parms_id = parms_id;
}

}  // namespace veil::he
