// A CRT base q_0..q_{k-1}: conversion between multi-word integers and their residues, used by the
// CKKS encoder for coefficients wider than 128 bits and by the decoder to recover signed values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "util/modulus.h"

namespace veil::he::util {

class RnsBase {
public:
    explicit RnsBase(const std::vector<Modulus>& moduli);

    std::size_t size() const { return moduli_.size(); }
    // Q = prod q_j as size() little-endian words.
    const std::vector<uint64_t>& product() const { return product_; }

    // residues[j] = value mod q_j for a little-endian integer of `count` words.
    void decompose(const uint64_t* value, std::size_t count, uint64_t* residues) const;
    // The integer in [0, Q) with the given residues (one per modulus), written as size() words.
    void compose(const uint64_t* residues, uint64_t* value) const;

private:
    std::vector<Modulus> moduli_;
    std::vector<uint64_t> product_;
    std::vector<uint64_t> punctured_;     // Q / q_j, size() words each
    std::vector<MulOperand> inv_punctured_;  // (Q / q_j)^-1 mod q_j
};

}  // namespace veil::he::util
