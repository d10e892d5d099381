#include "he/decryptor.h"

#include "he/error.h"
#include "he/rlwe.h"
#include "util/polyarith.h"

namespace veil::he {

Decryptor::Decryptor(std::shared_ptr<const Context> context, const SecretKey& secret_key)
    : context_(std::move(context)), secret_key_(secret_key) {
    require(context_ != nullptr, "decryptor needs a context");
    const ContextData& kd = context_->key_data();
    require(secret_key_.data.parms_id == kd.parms_id() && secret_key_.data.data.size() == kd.n() * kd.size(),
            "secret key does not belong to this context's key level");
}

void Decryptor::decrypt(const Ciphertext& ct, Plaintext& out) const {
    const ContextData& cd = detail::check_ciphertext(*context_, ct, "ciphertext");
    const std::size_t n = cd.n(), k = cd.size();
    out.data.assign(n * k, 0);
    std::vector<uint64_t> s_pow(n), tmp(n);
    for (std::size_t j = 0; j < k; ++j) {
        const util::Modulus& q = cd.moduli()[j];
        const uint64_t* s = secret_key_.data.rns(j, n);
        uint64_t* m = out.data.data() + j * n;
        std::copy(ct.rns(0, j), ct.rns(0, j) + n, m);
        std::copy(s, s + n, s_pow.begin());
        for (std::size_t p = 1; p < ct.size; ++p) {
            if (p > 1) util::multiply_poly(s_pow.data(), s, s_pow.data(), n, q);
            util::multiply_poly(ct.rns(p, j), s_pow.data(), tmp.data(), n, q);
            util::add_poly(m, tmp.data(), m, n, q.value());
        }
    }
    out.coeff_count = n * k;
    out.parms_id = ct.parms_id;
    out.scale = ct.scale;
}

}  // namespace veil::he
