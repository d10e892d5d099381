#include "he/keygenerator.h"

#include "he/error.h"
#include "he/rlwe.h"
#include "util/galois.h"
#include "util/polyarith.h"
#include "util/sampling.h"

namespace veil::he {

KeyGenerator::KeyGenerator(std::shared_ptr<const Context> context) : context_(std::move(context)) {
    require(context_ != nullptr, "key generator needs a context");
    const ContextData& kd = context_->key_data();
    const std::size_t n = kd.n(), k = kd.size();
    Plaintext& s = secret_key_.data;
    s.data.assign(n * k, 0);
    SeededPrng prng = detail::os_seeded_prng();
    util::sample_poly_ternary(prng, n, kd.moduli(), s.data.data());
    for (std::size_t j = 0; j < k; ++j) kd.ntt(j).forward(s.rns(j, n));
    s.coeff_count = n * k;
    s.scale = 1.0;
    s.parms_id = kd.parms_id();
}

KeyGenerator::KeyGenerator(std::shared_ptr<const Context> context, const SecretKey& secret_key)
    : context_(std::move(context)), secret_key_(secret_key) {
    require(context_ != nullptr, "key generator needs a context");
    const ContextData& kd = context_->key_data();
    require(secret_key_.data.parms_id == kd.parms_id() && secret_key_.data.data.size() == kd.n() * kd.size(),
            "secret key does not belong to this context's key level");
}

PublicKey KeyGenerator::create_public_key() const {
    PublicKey pk;
    detail::encrypt_zero_symmetric(context_->key_data(), secret_key_, pk.data);
    return pk;
}

std::vector<PublicKey> KeyGenerator::kswitch_key(const uint64_t* new_key) const {
    require(context_->using_keyswitching(), "key switching needs at least two primes (a special prime)");
    const ContextData& kd = context_->key_data();
    const std::size_t n = kd.n(), decomp = context_->first_data().size();
    const uint64_t special = kd.moduli().back().value();
    std::vector<PublicKey> out(decomp);
    std::vector<uint64_t> tmp(n);
    for (std::size_t j = 0; j < decomp; ++j) {
        Ciphertext& c = out[j].data;
        detail::encrypt_zero_symmetric(kd, secret_key_, c);
        // Gadget: add P * new_key in the j-th RNS component only.
        const util::Modulus& qj = kd.moduli()[j];
        util::multiply_poly_scalar(new_key + j * n, util::MulOperand(qj.reduce(special), qj.value()), tmp.data(), n,
                                   qj.value());
        util::add_poly(c.rns(0, j), tmp.data(), c.rns(0, j), n, qj.value());
    }
    return out;
}

RelinKeys KeyGenerator::create_relin_keys() const {
    const ContextData& kd = context_->key_data();
    const std::size_t n = kd.n(), k = kd.size();
    std::vector<uint64_t> s2(n * k);
    for (std::size_t j = 0; j < k; ++j)
        util::multiply_poly(secret_key_.data.rns(j, n), secret_key_.data.rns(j, n), s2.data() + j * n, n,
                            kd.moduli()[j]);
    RelinKeys rk;
    rk.parms_id = kd.parms_id();
    rk.keys.push_back(kswitch_key(s2.data()));
    return rk;
}

GaloisKeys KeyGenerator::create_galois_keys(const std::vector<uint64_t>& galois_elts) const {
    const ContextData& kd = context_->key_data();
    const std::size_t n = kd.n(), k = kd.size();
    GaloisKeys gk;
    gk.parms_id = kd.parms_id();
    gk.keys.resize(n);
    std::vector<uint64_t> rotated(n * k);
    for (uint64_t elt : galois_elts) {
        require((elt & 1) && elt < 2 * n, "Galois element " + std::to_string(elt) + " is not valid");
        if (gk.has_key(elt)) continue;
        const std::vector<uint32_t> perm = util::galois_permutation_ntt(elt, kd.log_n());
        for (std::size_t j = 0; j < k; ++j) {
            const uint64_t* s = secret_key_.data.rns(j, n);
            uint64_t* r = rotated.data() + j * n;
            for (std::size_t i = 0; i < n; ++i) r[i] = s[perm[i]];
        }
        gk.keys[GaloisKeys::index_of(elt)] = kswitch_key(rotated.data());
    }
    return gk;
}

GaloisKeys KeyGenerator::create_galois_keys_for_steps(const std::vector<int>& steps) const {
    std::vector<uint64_t> elts;
    for (int s : steps) elts.push_back(util::galois_elt_from_step(s, context_->key_data().n()));
    return create_galois_keys(elts);
}

GaloisKeys KeyGenerator::create_galois_keys() const {
    const std::size_t n = context_->key_data().n();
    const uint64_t m = 2 * uint64_t(n);
    std::vector<uint64_t> elts{m - 1};
    uint64_t pos = 3, neg = util::inv_mod(3, m);
    for (int i = 0; i + 1 < context_->key_data().log_n(); ++i) {
        elts.push_back(pos);
        elts.push_back(neg);
        pos = (pos * pos) & (m - 1);
        neg = (neg * neg) & (m - 1);
    }
    return create_galois_keys(elts);
}

}  // namespace veil::he
