// The modulus-switching chain built from EncryptionParameters, validated like SEAL's SEALContext:
// the key level holds every prime; data levels follow, each dropping the last prime. Immutable after
// construction and shared between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "he/objects.h"
#include "util/modulus.h"
#include "util/ntt.h"

namespace veil::he {

// Maximum total coefficient-modulus bits per security level follow SEAL's HomomorphicEncryption.org
// table (tc128 is SEAL's and node-seal's default); none disables the check.
enum class SecLevel : int { none = 0, tc128 = 128, tc192 = 192, tc256 = 256 };

class ContextData {
public:
    const EncryptionParameters& parms() const { return parms_; }
    const ParmsId& parms_id() const { return parms_.parms_id; }
    // Key level has the highest index; the last data level has index 0.
    std::size_t chain_index() const { return chain_index_; }
    std::size_t n() const { return std::size_t(parms_.poly_modulus_degree); }
    int log_n() const { return log_n_; }
    // Number of primes at this level.
    std::size_t size() const { return moduli_.size(); }
    const std::vector<util::Modulus>& moduli() const { return moduli_; }
    const util::NttTables& ntt(std::size_t j) const { return *ntt_[j]; }
    int total_coeff_modulus_bit_count() const { return total_bits_; }
    // The next lower level (one prime fewer), or nullptr at the bottom.
    const ContextData* next() const { return next_; }
    // The next higher level, or nullptr at the key level.
    const ContextData* prev() const { return prev_; }
    // (q_last)^-1 mod q_j for j < size()-1: used by rescale / mod switch to drop the last prime.
    const std::vector<util::MulOperand>& inv_last_mod() const { return inv_last_mod_; }

private:
    friend class Context;
    EncryptionParameters parms_;
    std::size_t chain_index_ = 0;
    int log_n_ = 0;
    int total_bits_ = 0;
    std::vector<util::Modulus> moduli_;
    std::vector<std::shared_ptr<const util::NttTables>> ntt_;  // shared by all levels
    std::vector<util::MulOperand> inv_last_mod_;
    const ContextData* next_ = nullptr;
    const ContextData* prev_ = nullptr;
};

class Context {
public:
    // Throws Error naming the problem when the parameters are not valid CKKS parameters.
    explicit Context(const EncryptionParameters& parms, SecLevel sec = SecLevel::tc128);
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;

    // nullptr when the id is not in this chain.
    const ContextData* get(const ParmsId& id) const;
    // Throws Error when the id is not in this chain.
    const ContextData& at(const ParmsId& id) const;

    const ContextData& key_data() const { return *levels_.front(); }
    const ContextData& first_data() const { return *levels_[first_]; }
    const ContextData& last_data() const { return *levels_.back(); }
    const ParmsId& key_parms_id() const { return key_data().parms_id(); }
    const ParmsId& first_parms_id() const { return first_data().parms_id(); }
    const ParmsId& last_parms_id() const { return last_data().parms_id(); }
    // False with a single prime: then the key level is the only data level and no key switching.
    bool using_keyswitching() const { return first_ != 0; }

private:
    // levels_[0] is the key level, then data levels from the top down.
    std::vector<std::unique_ptr<ContextData>> levels_;
    std::size_t first_ = 0;
};

// SEAL's upper bound on total coefficient-modulus bits for degree n at a security level (0 if n is
// not in the table).
int max_coeff_modulus_bits(std::size_t n, SecLevel sec);

}  // namespace veil::he
