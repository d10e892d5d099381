// Loading and saving of SEAL 4.x serialized objects (EncryptionParameters, Plaintext, Ciphertext, PublicKey,
// SecretKey, RelinKeys, GaloisKeys), byte-compatible with SEAL in both directions, plus parms_id hashing.
//
// Loaders validate like SEAL's load(): parms_id in the context's chain at the right level, sizes consistent
// with that level, every coefficient below its modulus. Every declared size is checked against the bytes
// present and against Limits before memory is allocated; decompressed data is bounded the same way.
// Seeded objects (second polynomial replaced by a PRNG type + 64-byte seed) are expanded on load exactly as
// SEAL does, so re-saving gives SEAL's own expanded bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "he/context.h"
#include "he/objects.h"
#include "serial/framing.h"
#include "util/prng/prng.h"

namespace veil::he::serial {

struct Limits {
    std::uint64_t max_poly_modulus_degree = 32768;
    std::uint64_t max_coeff_modulus_count = 64;
    // Upper bound on one object's (decompressed) members; key sets are the large ones.
    std::uint64_t max_object_bytes = std::uint64_t(2) << 30;
};

// BLAKE2b-256 over [scheme, degree, primes..., plain modulus] as 64-bit words, as SEAL's parms_id.
ParmsId compute_parms_id(const EncryptionParameters &parms);

// Loaders. load_parms returns parameters with parms_id computed; it checks shape and limits (and CKKS),
// while primality and NTT-friendliness are checked when a Context is built from them.
EncryptionParameters load_parms(const std::uint8_t *data, std::size_t size, const Limits &limits = {});
Plaintext load_plaintext(const Context &ctx, const std::uint8_t *data, std::size_t size, const Limits &limits = {});
Ciphertext load_ciphertext(const Context &ctx, const std::uint8_t *data, std::size_t size,
                           const Limits &limits = {});
PublicKey load_public_key(const Context &ctx, const std::uint8_t *data, std::size_t size, const Limits &limits = {});
SecretKey load_secret_key(const Context &ctx, const std::uint8_t *data, std::size_t size, const Limits &limits = {});
RelinKeys load_relin_keys(const Context &ctx, const std::uint8_t *data, std::size_t size, const Limits &limits = {});
GaloisKeys load_galois_keys(const Context &ctx, const std::uint8_t *data, std::size_t size,
                            const Limits &limits = {});

// Savers (full form).
std::vector<std::uint8_t> save(const EncryptionParameters &parms, ComprMode mode = ComprMode::none);
std::vector<std::uint8_t> save(const Plaintext &pt, ComprMode mode = ComprMode::none);
std::vector<std::uint8_t> save(const Ciphertext &ct, ComprMode mode = ComprMode::none);
std::vector<std::uint8_t> save(const PublicKey &pk, ComprMode mode = ComprMode::none);
std::vector<std::uint8_t> save(const SecretKey &sk, ComprMode mode = ComprMode::none);
std::vector<std::uint8_t> save(const KSwitchKeys &keys, ComprMode mode = ComprMode::none);

// Regenerates a seeded second polynomial: n * moduli.size() words, uniform mod each prime, in NTT form.
void expand_seed(PrngType type, const PrngSeed &seed, std::size_t n, const std::vector<std::uint64_t> &moduli,
                 std::uint64_t *dest);

// Seeded savers (SEAL's Serializable forms): poly(1) of the ciphertext / of every key component is replaced
// by its recorded seed (Ciphertext::seed_type / seed, set by the encryptor and key generator, and by the
// loaders for seeded input). Throws when an object carries no seed or the seed does not reproduce poly(1).
std::vector<std::uint8_t> save_seeded(const Context &ctx, const Ciphertext &ct, ComprMode mode = ComprMode::none);
std::vector<std::uint8_t> save_seeded(const Context &ctx, const PublicKey &pk, ComprMode mode = ComprMode::none);
std::vector<std::uint8_t> save_seeded(const Context &ctx, const KSwitchKeys &keys, ComprMode mode = ComprMode::none);

} // namespace veil::he::serial

namespace veil::he {
using serial::compute_parms_id;
} // namespace veil::he
