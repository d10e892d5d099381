#include "he/rlwe.h"

#include <string>

#include "he/error.h"
#include "util/polyarith.h"
#include "util/scratch.h"
#include "util/sampling.h"

namespace veil::he::detail {

SeededPrng os_seeded_prng() { return SeededPrng(PrngType::blake2xb, random_seed()); }

void divide_round_last_ntt(const ContextData& cd, uint64_t* poly) {
    const std::size_t n = cd.n(), k = cd.size();
    require(k >= 2, "cannot drop the last prime of a single-prime level");
    divide_round_last_ntt(cd, k - 1, poly, poly + (k - 1) * n, poly, nullptr);
}

void divide_round_last_ntt(const ContextData& ld, std::size_t count, const uint64_t* in, uint64_t* last,
                           uint64_t* out, const uint64_t* add) {
    const std::size_t n = ld.n(), k = ld.size();
    const auto& q = ld.moduli();
    const uint64_t q_last = q[k - 1].value(), half = q_last >> 1;
    // Adding half before the floor division rounds to nearest; it is taken out again mod each q_i.
    ld.ntt(k - 1).inverse(last);
    util::add_scalar_poly(last, half, last, n, q_last);
    uint64_t* tmp = util::scratch(util::Scratch::divide_tail, n);
    for (std::size_t i = 0; i < count; ++i) {
        const uint64_t qi = q[i].value();
        util::reduce_sub_poly(last, q[i].reduce(half), tmp, n, q[i]);
        ld.ntt(i).forward(tmp);
        if (add) {
            util::sub_multiply_scalar_poly(in + i * n, tmp, ld.inv_last_mod()[i], tmp, n, qi);
            util::add_poly(tmp, add + i * n, out + i * n, n, qi);
        } else {
            util::sub_multiply_scalar_poly(in + i * n, tmp, ld.inv_last_mod()[i], out + i * n, n, qi);
        }
    }
}

const ContextData& check_ciphertext(const Context& context, const Ciphertext& ct, const char* what) {
    const ContextData* cd = context.get(ct.parms_id);
    require(cd != nullptr, std::string(what) + " does not belong to this context (unknown parms_id)");
    require(ct.is_ntt_form, std::string(what) + " must be in NTT form");
    require(ct.size >= 2 && ct.size <= 16, std::string(what) + " has an invalid size");
    require(ct.poly_modulus_degree == cd->n() && ct.coeff_modulus_size == cd->size() &&
                ct.data.size() == ct.size * cd->n() * cd->size(),
            std::string(what) + " has a shape that does not match its level");
    return *cd;
}

void encrypt_zero_symmetric(const ContextData& cd, const SecretKey& sk, Ciphertext& out) {
    const std::size_t n = cd.n(), k = cd.size();
    require(sk.data.data.size() >= n * k, "secret key is too small for this context");
    out.resize(cd.parms_id(), 2, n, k);
    out.is_ntt_form = true;
    out.scale = 1.0;
    out.correction_factor = 1;

    const PrngSeed seed = random_seed();
    {
        SeededPrng a_prng(PrngType::blake2xb, seed);
        sample_poly_uniform(a_prng, n, cd.parms().coeff_modulus, out.poly(1));
    }
    SeededPrng noise_prng = os_seeded_prng();
    std::vector<uint64_t> e(n * k);
    util::sample_poly_cbd(noise_prng, n, cd.moduli(), e.data());
    for (std::size_t j = 0; j < k; ++j) {
        const uint64_t qj = cd.moduli()[j].value();
        uint64_t* c0 = out.rns(0, j);
        util::multiply_poly(sk.data.rns(j, n), out.rns(1, j), c0, n, cd.moduli()[j]);
        cd.ntt(j).forward(e.data() + j * n);
        util::add_poly(c0, e.data() + j * n, c0, n, qj);
        util::negate_poly(c0, c0, n, qj);
    }
    out.seed_type = PrngType::blake2xb;
    out.seed = seed;
}

void encrypt_zero_asymmetric(const ContextData& cd, const PublicKey& pk, Ciphertext& out) {
    const std::size_t n = cd.n(), k = cd.size();
    require(pk.data.size == 2 && pk.data.data.size() >= 2 * n * pk.data.coeff_modulus_size &&
                pk.data.coeff_modulus_size >= k,
            "public key does not match this context");
    out.resize(cd.parms_id(), 2, n, k);
    out.is_ntt_form = true;
    out.scale = 1.0;
    out.correction_factor = 1;
    SeededPrng prng = os_seeded_prng();
    std::vector<uint64_t> u(n * k), e(n * k);
    util::sample_poly_ternary(prng, n, cd.moduli(), u.data());
    for (std::size_t j = 0; j < k; ++j) cd.ntt(j).forward(u.data() + j * n);
    for (std::size_t p = 0; p < 2; ++p) {
        util::sample_poly_cbd(prng, n, cd.moduli(), e.data());
        for (std::size_t j = 0; j < k; ++j) {
            uint64_t* c = out.rns(p, j);
            util::multiply_poly(u.data() + j * n, pk.data.rns(p, j), c, n, cd.moduli()[j]);
            cd.ntt(j).forward(e.data() + j * n);
            util::add_poly(c, e.data() + j * n, c, n, cd.moduli()[j].value());
        }
    }
}

}  // namespace veil::he::detail
