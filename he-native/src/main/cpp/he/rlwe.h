// Building blocks shared by the encryptor, key generator and evaluator (internal to he-core).
#pragma once

#include <cstdint>

#include "he/context.h"
#include "he/objects.h"
#include "util/prng/prng.h"

namespace veil::he::detail {

// A fresh PRNG seeded from the operating system.
SeededPrng os_seeded_prng();

// In place on one NTT-form RNS polynomial of level cd (cd.size() components): divides by the
// level's last prime with rounding, leaving cd.size() - 1 components at the front.
void divide_round_last_ntt(const ContextData& cd, uint64_t* poly);

// The same division for the first `count` primes of level `ld` (count < ld.size()): `last` is the residue
// mod ld's last prime in NTT form (overwritten), and out_i = (in_i - round(last)_i) * q_last^-1 mod q_i,
// plus add_i when `add` is not null. in, out and add may alias.
void divide_round_last_ntt(const ContextData& ld, std::size_t count, const uint64_t* in, uint64_t* last,
                           uint64_t* out, const uint64_t* add);

// Validates a ciphertext's shape against the context; returns its level.
const ContextData& check_ciphertext(const Context& context, const Ciphertext& ct, const char* what);

// (c0, c1) = (-(s * a + e), a) at level cd, NTT form, scale 1; a is expanded from a fresh seed
// recorded in out.seed_type / out.seed (so it can be saved in SEAL's seeded form).
void encrypt_zero_symmetric(const ContextData& cd, const SecretKey& sk, Ciphertext& out);

// (u * pk0 + e0, u * pk1 + e1) at level cd (pk at the key level), NTT form, scale 1.
void encrypt_zero_asymmetric(const ContextData& cd, const PublicKey& pk, Ciphertext& out);

}  // namespace veil::he::detail
