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
#include "util/scratch.h"

namespace veil::he {

// The target polynomial of a key switch, split into one digit per prime of its level (the residue
// mod q_j read as an integer), each digit reduced mod every prime of the level and the special
// prime and NTT-transformed: digit(i, j) for output modulus i (0..L, L = special) and digit j.
// The digits live in the thread's scratch buffer, except for a hoisted rotate_many, which keeps its own
// (its fallback rotations decompose again on the same thread).
struct Evaluator::Decomposition {
    explicit Decomposition(bool own_storage) : owned(own_storage) {}
    bool owned;
    std::size_t n = 0, levels = 0;
    util::CoeffVector storage;
    uint64_t* data = nullptr;
    const uint64_t* digit(std::size_t i, std::size_t j) const { return data + (i * levels + j) * n; }
    uint64_t* digit(std::size_t i, std::size_t j) { return data + (i * levels + j) * n; }
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
    const std::size_t n = cd.n();
    // Plaintext component j multiplies polynomials two at a time, so that it is read once per pair.
    for (std::size_t j = 0; j < cd.size(); ++j) {
        std::size_t p = 0;
        for (; p + 1 < a.size; p += 2)
            util::multiply_poly2(a.rns(p, j), a.rns(p + 1, j), pt.rns(j, n), a.rns(p, j), a.rns(p + 1, j), n,
                                 cd.moduli()[j]);
        if (p < a.size) util::multiply_poly(a.rns(p, j), pt.rns(j, n), a.rns(p, j), n, cd.moduli()[j]);
    }
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
    if (a.size == 2 && b.size == 2 && &a != &b) {
        // The common case in place: c0 and c1 overwrite a0 and a1, c2 is appended (poly-major layout).
        a.data.resize(3 * n * k);
        a.size = 3;
        // When what the tensor touches (a, b and c2: 5 n k words) exceeds a core's L2 (2 MiB on the machines
        // measured), it streams from memory anyway; c2 is then written around the cache, which spares reading
        // each of its lines in before overwriting it.
        const bool stream_c2 = 5 * n * k * sizeof(uint64_t) > (std::size_t(1) << 21);
        for (std::size_t j = 0; j < k; ++j)
            util::tensor_poly(a.rns(0, j), a.rns(1, j), b.rns(0, j), b.rns(1, j), a.rns(0, j), a.rns(1, j),
                              a.rns(2, j), n, cd.moduli()[j], stream_c2);
        a.scale = scale;
        a.correction_factor = 1;
        a.seed_type = PrngType::unknown;
        return;
    }
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
    if (d.owned) {
        d.storage.resize((L + 1) * L * n);
        d.data = d.storage.data();
    } else {
        d.data = util::scratch(util::Scratch::decomposition, (L + 1) * L * n);
    }
    uint64_t* coeff = util::scratch(util::Scratch::decompose_coeff, L * n);
    std::copy(target, target + L * n, coeff);
    for (std::size_t j = 0; j < L; ++j) cd.ntt(j).inverse(coeff + j * n);
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
                std::copy(coeff + j * n, coeff + (j + 1) * n, dst);
            else
                util::reduce_poly(coeff + j * n, dst, n, qi);
            kd.ntt(ki).forward(dst);
        }
    }
}

void Evaluator::switch_key(const ContextData& cd, const Decomposition& d, const uint32_t* perm,
                           const std::vector<PublicKey>& key, uint64_t* out0, uint64_t* out1, const uint64_t* add0,
                           const uint64_t* add1) const {
    const ContextData& kd = context_->key_data();
    const std::size_t n = cd.n(), L = cd.size(), special = kd.size() - 1;
    // Inner products with the key mod each prime of the level and mod the special prime P.
    uint64_t* t0 = util::scratch(util::Scratch::switch0, (L + 1) * n);
    uint64_t* t1 = util::scratch(util::Scratch::switch1, (L + 1) * n);
    std::vector<const uint64_t*> digits(L), k0(L), k1(L);
    for (std::size_t i = 0; i <= L; ++i) {
        const std::size_t ki = i < L ? i : special;
        for (std::size_t j = 0; j < L; ++j) {
            digits[j] = d.digit(i, j);
            k0[j] = key[j].data.rns(0, ki);
            k1[j] = key[j].data.rns(1, ki);
        }
        util::dot_product2_poly(digits.data(), perm, k0.data(), k1.data(), L, t0 + i * n, t1 + i * n, n,
                                kd.moduli()[ki]);
    }
    // Divide by P with rounding.
    detail::divide_round_last_ntt(kd, L, t0, t0 + L * n, out0, add0);
    detail::divide_round_last_ntt(kd, L, t1, t1 + L * n, out1, add1);
}

void Evaluator::relinearize_inplace(Ciphertext& a, const RelinKeys& keys) const {
    const ContextData& cd = detail::check_ciphertext(*context_, a, "ciphertext");
    const std::size_t n = cd.n(), L = cd.size();
    Decomposition d(false);
    while (a.size > 2) {
        const std::size_t index = RelinKeys::index_of_power(a.size - 1);
        check_kswitch_key(cd, keys, index, "relinearization keys");
        decompose(cd, a.poly(a.size - 1), d);
        switch_key(cd, d, nullptr, keys.keys[index], a.poly(0), a.poly(1), a.poly(0), a.poly(1));
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
    // a0 read through the permutation, to be added to the key switch of the permuted a1. `out` may
    // be `a` itself (its a1 is already in the decomposition), so a0 goes through a scratch buffer.
    uint64_t* permuted = util::scratch(util::Scratch::permuted, L * n);
    const uint32_t* pm = perm->data();
    for (std::size_t j = 0; j < L; ++j) {
        const uint64_t* src = a.rns(0, j);
        uint64_t* dst = permuted + j * n;
        for (std::size_t x = 0; x < n; ++x) dst[x] = src[pm[x]];
    }
    if (&out != &a) {
        out.resize(a.parms_id, 2, n, L);
        out.is_ntt_form = true;
        out.scale = a.scale;
        out.correction_factor = a.correction_factor;
    }
    out.seed_type = PrngType::unknown;
    switch_key(cd, d, pm, keys.keys[GaloisKeys::index_of(galois_elt)], out.poly(0), out.poly(1), permuted, nullptr);
}

void Evaluator::apply_galois_inplace(Ciphertext& a, uint64_t galois_elt, const GaloisKeys& keys) const {
    const ContextData& cd = detail::check_ciphertext(*context_, a, "ciphertext");
    require(a.size == 2, "apply_galois needs a ciphertext of size 2; relinearize first");
    require((galois_elt & 1) && galois_elt < 2 * cd.n(), "Galois element " + std::to_string(galois_elt) + " is not valid");
    check_kswitch_key(cd, keys, GaloisKeys::index_of(galois_elt), "Galois keys");
    Decomposition d(false);
    decompose(cd, a.poly(1), d);
    apply_galois_decomposed(cd, a, d, galois_elt, keys, a);
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
    Decomposition d(true);
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
    // In place, straight into the tighter layout: polynomial p's result component i lands where its input
    // component i - p lay, which has been read by then (components and polynomials go in increasing order).
    for (std::size_t p = 0; p < a.size; ++p) {
        uint64_t* in = a.data.data() + p * L * n;
        detail::divide_round_last_ntt(cd, L - 1, in, in + (L - 1) * n, a.data.data() + p * (L - 1) * n, nullptr);
    }
    a.data.resize(a.size * (L - 1) * n);
    a.coeff_modulus_size = L - 1;
    a.parms_id = next->parms_id();
    a.is_ntt_form = true;
    a.scale = a.scale / q_last;
    a.seed_type = PrngType::unknown;
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
    // Data in NTT form at fewer primes is the prefix of each polynomial's components, moved down in place
    // (each destination lies at or below its source).
    for (std::size_t p = 1; p < a.size; ++p) std::copy(a.poly(p), a.poly(p) + T * n, a.data.data() + p * T * n);
    a.data.resize(a.size * T * n);
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
