#include "he/encryptor.h"

#include "he/error.h"
#include "he/rlwe.h"
#include "util/polyarith.h"

namespace veil::he {
namespace {

const ContextData& check_plain(const Context& context, const Plaintext& plain) {
    require(plain.is_ntt_form(), "plaintext must be in NTT form (CKKS)");
    const ContextData& cd = context.at(plain.parms_id);
    require(plain.data.size() == cd.n() * cd.size(), "plaintext size does not match its level");
    return cd;
}

void add_plain_to_c0(const ContextData& cd, const Plaintext& plain, Ciphertext& ct) {
    for (std::size_t j = 0; j < cd.size(); ++j)
        util::add_poly(ct.rns(0, j), plain.rns(j, cd.n()), ct.rns(0, j), cd.n(), cd.moduli()[j].value());
    ct.scale = plain.scale;
}

}  // namespace

Encryptor::Encryptor(std::shared_ptr<const Context> context, const PublicKey& public_key)
    : context_(std::move(context)), public_key_(public_key) {
    require(context_ != nullptr, "encryptor needs a context");
    const ContextData& kd = context_->key_data();
    const Ciphertext& c = public_key_->data;
    require(c.parms_id == kd.parms_id() && c.size == 2 && c.coeff_modulus_size == kd.size() &&
                c.poly_modulus_degree == kd.n() && c.data.size() == 2 * kd.n() * kd.size(),
            "public key does not belong to this context's key level");
}

Encryptor::Encryptor(std::shared_ptr<const Context> context, const SecretKey& secret_key)
    : context_(std::move(context)), secret_key_(secret_key) {
    require(context_ != nullptr, "encryptor needs a context");
    const ContextData& kd = context_->key_data();
    require(secret_key_->data.parms_id == kd.parms_id() && secret_key_->data.data.size() == kd.n() * kd.size(),
            "secret key does not belong to this context's key level");
}

void Encryptor::encrypt(const Plaintext& plain, Ciphertext& out) const {
    require(public_key_.has_value(), "this encryptor has no public key");
    const ContextData& cd = check_plain(*context_, plain);
    if (const ContextData* up = cd.prev()) {
        Ciphertext tmp;
        detail::encrypt_zero_asymmetric(*up, *public_key_, tmp);
        out.resize(cd.parms_id(), 2, cd.n(), cd.size());
        for (std::size_t p = 0; p < 2; ++p) {
            detail::divide_round_last_ntt(*up, tmp.poly(p));
            std::copy(tmp.poly(p), tmp.poly(p) + cd.n() * cd.size(), out.poly(p));
        }
        out.is_ntt_form = true;
        out.correction_factor = 1;
    } else {
        detail::encrypt_zero_asymmetric(cd, *public_key_, out);
    }
    add_plain_to_c0(cd, plain, out);
}

void Encryptor::encrypt_symmetric(const Plaintext& plain, Ciphertext& out) const {
    require(secret_key_.has_value(), "this encryptor has no secret key");
    const ContextData& cd = check_plain(*context_, plain);
    detail::encrypt_zero_symmetric(cd, *secret_key_, out);
    add_plain_to_c0(cd, plain, out);
}

}  // namespace veil::he
