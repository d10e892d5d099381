// CKKS encryption as SEAL's Encryptor: with the public key (encrypted one level up, then the extra
// prime divided out, for smaller noise) or with the secret key (second polynomial from a recorded seed).
#pragma once

#include <memory>
#include <optional>

#include "he/context.h"
#include "he/objects.h"

namespace veil::he {

class Encryptor {
public:
    Encryptor(std::shared_ptr<const Context> context, const PublicKey& public_key);
    Encryptor(std::shared_ptr<const Context> context, const SecretKey& secret_key);

    // Public-key encryption of an NTT-form plaintext at the plaintext's level.
    void encrypt(const Plaintext& plain, Ciphertext& out) const;
    // Secret-key encryption; out carries its seed for seeded saving.
    void encrypt_symmetric(const Plaintext& plain, Ciphertext& out) const;

private:
    std::shared_ptr<const Context> context_;
    std::optional<PublicKey> public_key_;
    std::optional<SecretKey> secret_key_;
};

}  // namespace veil::he
