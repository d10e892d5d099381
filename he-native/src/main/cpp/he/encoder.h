// CKKS encoding exactly as SEAL's CKKSEncoder: slot i sits at the bit-reversed position of
// (3^i mod 2N - 1) / 2, values are spread with SEAL's inverse FFT convention, multiplied by the
// scale, rounded to integers, reduced per prime and NTT-transformed.
#pragma once

#include <complex>
#include <cstddef>
#include <memory>
#include <vector>

#include "he/context.h"
#include "he/objects.h"
#include "util/rns.h"

namespace veil::he {

class CkksEncoder {
public:
    explicit CkksEncoder(std::shared_ptr<const Context> context);

    std::size_t slot_count() const { return slots_; }

    // Encodes up to slot_count() values (the rest are zero) at the level `parms_id`.
    void encode(const std::complex<double>* values, std::size_t count, const ParmsId& parms_id, double scale,
                Plaintext& out) const;
    void encode(const double* values, std::size_t count, const ParmsId& parms_id, double scale,
                Plaintext& out) const;
    // Encodes the same value in every slot (a constant polynomial).
    void encode(double value, const ParmsId& parms_id, double scale, Plaintext& out) const;

    // Decodes all slot_count() slots.
    void decode(const Plaintext& plain, std::vector<std::complex<double>>& out) const;
    void decode(const Plaintext& plain, std::vector<double>& out) const;

    const Context& context() const { return *context_; }

private:
    // Writes the integer coefficients (given as rounded doubles) into `out` per prime, then NTT.
    void to_rns(const std::vector<std::complex<double>>& coeffs, const ContextData& cd, Plaintext& out) const;
    const util::RnsBase& rns_at(const ContextData& cd) const { return *rns_[cd.chain_index()]; }

    std::shared_ptr<const Context> context_;
    std::size_t n_, slots_;
    int log_n_;
    std::vector<std::size_t> index_map_;                // slot -> FFT position
    std::vector<std::complex<double>> root_powers_;      // for decoding (forward FFT)
    std::vector<std::complex<double>> inv_root_powers_;  // for encoding (inverse FFT)
    std::vector<std::unique_ptr<util::RnsBase>> rns_;   // per chain index
};

}  // namespace veil::he
