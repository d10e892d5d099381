// The object model: plain data holders laid out like SEAL 4.x, so serialization is a direct walk over
// the members in SEAL's order. Operations live elsewhere (context, evaluator, serial/).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "util/coeff_vector.h"
#include "util/prng/prng.h"

namespace veil::he {

// BLAKE2b-derived identifier of one level of the modulus chain (four 64-bit words, as SEAL).
using ParmsId = std::array<uint64_t, 4>;
inline constexpr ParmsId kParmsIdZero{0, 0, 0, 0};

// SEAL's scheme_type byte values.
enum class Scheme : uint8_t { none = 0x0, bfv = 0x1, ckks = 0x2, bgv = 0x3 };

struct EncryptionParameters {
    Scheme scheme = Scheme::ckks;
    uint64_t poly_modulus_degree = 0;
    std::vector<uint64_t> coeff_modulus;  // prime values, in chain order (special prime last)
    uint64_t plain_modulus = 0;           // always 0 for CKKS
    ParmsId parms_id = kParmsIdZero;      // hash of the above (serial::compute_parms_id)
};

// CKKS plaintexts are in NTT form: data holds coeff_modulus_size blocks of N residues each
// (coeff_count = N * k), and parms_id names the level they belong to.
struct Plaintext {
    ParmsId parms_id = kParmsIdZero;
    uint64_t coeff_count = 0;
    double scale = 1.0;
    util::CoeffVector data;  // grows uninitialized: whoever grows it writes every new word

    bool is_ntt_form() const { return parms_id != kParmsIdZero; }
    uint64_t* rns(std::size_t j, std::size_t n) { return data.data() + j * n; }
    const uint64_t* rns(std::size_t j, std::size_t n) const { return data.data() + j * n; }
};

// data layout: polynomial-major, then RNS component, then coefficient:
// data[(p * coeff_modulus_size + j) * poly_modulus_degree + i].
struct Ciphertext {
    ParmsId parms_id = kParmsIdZero;
    bool is_ntt_form = true;
    uint64_t size = 0;  // number of polynomials (2 fresh, 3 after multiply)
    uint64_t poly_modulus_degree = 0;
    uint64_t coeff_modulus_size = 0;
    double scale = 1.0;
    uint64_t correction_factor = 1;  // BGV only; 1 for CKKS
    util::CoeffVector data;  // grows uninitialized: whoever grows it writes every new word
    // Set by the symmetric encryptor / key generator when poly 1 (in NTT form) was expanded from this
    // seed with sample_poly_uniform, so the object can be saved in SEAL's compact seeded form.
    // Not a serialized member; the evaluator clears it on anything it writes.
    PrngType seed_type = PrngType::unknown;
    PrngSeed seed{};

    bool is_seeded() const { return seed_type != PrngType::unknown; }

    std::size_t poly_stride() const { return std::size_t(coeff_modulus_size * poly_modulus_degree); }
    uint64_t* poly(std::size_t p) { return data.data() + p * poly_stride(); }
    const uint64_t* poly(std::size_t p) const { return data.data() + p * poly_stride(); }
    uint64_t* rns(std::size_t p, std::size_t j) { return poly(p) + j * poly_modulus_degree; }
    const uint64_t* rns(std::size_t p, std::size_t j) const { return poly(p) + j * poly_modulus_degree; }

    // Sets the shape and zero-fills (allocates size * k * n words).
    void resize(const ParmsId& id, uint64_t new_size, uint64_t n, uint64_t k) {
        parms_id = id;
        size = new_size;
        poly_modulus_degree = n;
        coeff_modulus_size = k;
        data.assign(std::size_t(new_size * n * k), 0);
        seed_type = PrngType::unknown;
    }
};

// A public key is an encryption of zero at the key level (all primes), in NTT form.
struct PublicKey {
    Ciphertext data;
    const ParmsId& parms_id() const { return data.parms_id; }
};

// The secret key is a ternary polynomial at the key level, in NTT form.
struct SecretKey {
    Plaintext data;
    const ParmsId& parms_id() const { return data.parms_id; }
};

// Key-switching keys: keys[slot][j] is the public-key-shaped encryption for decomposition
// component j (one per data prime), at the key level. parms_id is the key level's.
struct KSwitchKeys {
    ParmsId parms_id = kParmsIdZero;
    std::vector<std::vector<PublicKey>> keys;
};

// Relinearization keys: slot 0 switches s^2 -> s (SEAL's get_index(2) - 2 == 0).
struct RelinKeys : KSwitchKeys {
    static std::size_t index_of_power(std::size_t key_power) { return key_power - 2; }
};

// Galois keys: slot (galois_elt - 1) / 2 holds the key for that (odd) Galois element; absent keys
// are empty vectors.
struct GaloisKeys : KSwitchKeys {
    static std::size_t index_of(uint64_t galois_elt) { return std::size_t((galois_elt - 1) >> 1); }
    bool has_key(uint64_t galois_elt) const {
        std::size_t i = index_of(galois_elt);
        return (galois_elt & 1) && i < keys.size() && !keys[i].empty();
    }
};

}  // namespace veil::he
