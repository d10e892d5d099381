// Client-side key generation matching SEAL's KeyGenerator: ternary secret, public key, relinearization
// and Galois (key-switching) keys in SEAL's layout. Every second polynomial of a public/switching key
// is expanded from a recorded seed, so the keys can be saved in SEAL's compact seeded form.
#pragma once

#include <memory>
#include <vector>

#include "he/context.h"
#include "he/objects.h"

namespace veil::he {

class KeyGenerator {
public:
    // Samples a fresh secret key from the OS randomness.
    explicit KeyGenerator(std::shared_ptr<const Context> context);
    // Uses an existing secret key (e.g. loaded from SEAL).
    KeyGenerator(std::shared_ptr<const Context> context, const SecretKey& secret_key);

    const SecretKey& secret_key() const { return secret_key_; }
    PublicKey create_public_key() const;
    RelinKeys create_relin_keys() const;
    // Keys for the given Galois elements (odd, below 2N).
    GaloisKeys create_galois_keys(const std::vector<uint64_t>& galois_elts) const;
    // Keys for the given rotation steps (0 = conjugation), as SEAL's create_galois_keys(steps).
    GaloisKeys create_galois_keys_for_steps(const std::vector<int>& steps) const;
    // SEAL's default set: conjugation and rotations by +-2^i.
    GaloisKeys create_galois_keys() const;

private:
    // One key-switching key from new_key (NTT form, key level) to the secret key.
    std::vector<PublicKey> kswitch_key(const uint64_t* new_key) const;

    std::shared_ptr<const Context> context_;
    SecretKey secret_key_;
};

}  // namespace veil::he
