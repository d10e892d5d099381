// CKKS decryption: m = c0 + c1 s + c2 s^2 + ... in NTT form at the ciphertext's level.
#pragma once

#include <memory>

#include "he/context.h"
#include "he/objects.h"

namespace veil::he {

class Decryptor {
public:
    Decryptor(std::shared_ptr<const Context> context, const SecretKey& secret_key);
    void decrypt(const Ciphertext& encrypted, Plaintext& out) const;

private:
    std::shared_ptr<const Context> context_;
    SecretKey secret_key_;
};

}  // namespace veil::he
