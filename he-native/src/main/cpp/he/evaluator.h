// Homomorphic operations on CKKS ciphertexts in NTT form, consuming SEAL's relinearization and Galois
// keys as they are. Stateless apart from a cache of Galois permutations, so one Evaluator may be used
// from many threads at once (on different output objects).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "he/context.h"
#include "he/objects.h"

namespace veil::he {

class Evaluator {
public:
    explicit Evaluator(std::shared_ptr<const Context> context);

    void negate_inplace(Ciphertext& a) const;
    // a and b must share level and scale (equal up to double rounding, as SEAL checks).
    void add_inplace(Ciphertext& a, const Ciphertext& b) const;
    void sub_inplace(Ciphertext& a, const Ciphertext& b) const;
    void add_plain_inplace(Ciphertext& a, const Plaintext& p) const;
    void sub_plain_inplace(Ciphertext& a, const Plaintext& p) const;
    void multiply_plain_inplace(Ciphertext& a, const Plaintext& p) const;
    // Tensor product: result has size a.size + b.size - 1 and scale a.scale * b.scale.
    void multiply_inplace(Ciphertext& a, const Ciphertext& b) const;
    void square_inplace(Ciphertext& a) const;
    // Brings a ciphertext of size > 2 back to size 2.
    void relinearize_inplace(Ciphertext& a, const RelinKeys& keys) const;
    // Divides by the last prime with rounding; scale /= that prime.
    void rescale_to_next_inplace(Ciphertext& a) const;
    // Drops primes (no scale change) down to the level `parms_id`.
    void mod_switch_to_inplace(Ciphertext& a, const ParmsId& parms_id) const;
    void mod_switch_to_next_inplace(Ciphertext& a) const;
    void mod_switch_to_inplace(Plaintext& p, const ParmsId& parms_id) const;
    // Rotates slots left by `steps` (negative: right). Uses the exact key when present, otherwise
    // composes the rotation from the non-adjacent form of `steps` (power-of-two keys), as SEAL.
    void rotate_vector_inplace(Ciphertext& a, int steps, const GaloisKeys& keys) const;
    void complex_conjugate_inplace(Ciphertext& a, const GaloisKeys& keys) const;
    void apply_galois_inplace(Ciphertext& a, uint64_t galois_elt, const GaloisKeys& keys) const;
    // Rotations of one ciphertext by many steps with one shared decomposition (hoisting): the cost
    // of the NTT-heavy part is paid once. Steps without an exact key fall back to rotate_vector.
    std::vector<Ciphertext> rotate_many(const Ciphertext& a, const std::vector<int>& steps,
                                        const GaloisKeys& keys) const;

    const Context& context() const { return *context_; }

private:
    struct Decomposition;
    void decompose(const ContextData& cd, const uint64_t* target, Decomposition& d) const;
    // out0/out1 (cd.size() NTT components each) = key switch of the decomposed target, read through
    // perm when not null, plus add0/add1 when not null (which may alias the outputs).
    void switch_key(const ContextData& cd, const Decomposition& d, const uint32_t* perm,
                    const std::vector<PublicKey>& key, uint64_t* out0, uint64_t* out1, const uint64_t* add0,
                    const uint64_t* add1) const;
    void check_kswitch_key(const ContextData& cd, const KSwitchKeys& keys, std::size_t index,
                           const char* what) const;
    std::shared_ptr<const std::vector<uint32_t>> permutation(uint64_t galois_elt) const;
    void apply_galois_decomposed(const ContextData& cd, const Ciphertext& a, const Decomposition& d,
                                 uint64_t galois_elt, const GaloisKeys& keys, Ciphertext& out) const;

    std::shared_ptr<const Context> context_;
    mutable std::mutex perm_mutex_;
    mutable std::map<uint64_t, std::shared_ptr<const std::vector<uint32_t>>> perms_;
};

}  // namespace veil::he
