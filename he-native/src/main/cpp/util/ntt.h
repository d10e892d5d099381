// Negacyclic number-theoretic transform over Z_q[X]/(X^N + 1), identical to SEAL's: the root is the
// minimal primitive 2N-th root of unity mod q, the forward transform takes natural-order coefficients
// to bit-reversed-order evaluations, and the inverse undoes it including the 1/N factor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "util/modulus.h"

namespace veil::he::util {

class NttTables {
public:
    // Throws Error when q is not 1 mod 2N or has no primitive 2N-th root.
    NttTables(int log_n, const Modulus& q);

    int log_n() const { return log_n_; }
    std::size_t n() const { return std::size_t(1) << log_n_; }
    const Modulus& modulus() const { return q_; }
    uint64_t root() const { return root_; }

    // In place; input in [0, q), output in [0, q).
    void forward(uint64_t* a) const { transform(a, false); }
    void inverse(uint64_t* a) const { transform(a, true); }

    // Powers of the root in bit-reversed order (forward) and of its inverse in the order the
    // inverse transform consumes them, each with its Shoup quotient.
    const std::vector<MulOperand>& root_powers() const { return root_powers_; }
    const std::vector<MulOperand>& inv_root_powers() const { return inv_root_powers_; }
    const MulOperand& inv_n() const { return inv_n_; }

private:
    int log_n_;
    Modulus q_;
    uint64_t root_ = 0;
    std::vector<MulOperand> root_powers_;
    std::vector<MulOperand> inv_root_powers_;
    MulOperand inv_n_;
    void transform(uint64_t* a, bool inverse) const;

    // AVX-512 tables (empty when n < 64): root powers by bit-reversed index with their Shoup quotients as
    // ntt.cpp's vector_quotient lays them out (52-bit for q < 2^50; else the high half of the 64-bit one,
    // and both halves shifted for IFMA, the *_hi20_/*_lo20_ tables); 1/n, and 1/n times the inverse's last
    // root power, as {w, quotient, hi20, lo20}.
    std::vector<uint64_t> fwd_w_, fwd_wq_, fwd_wq_hi20_, fwd_wq_lo20_;
    std::vector<uint64_t> inv_w_, inv_wq_, inv_wq_hi20_, inv_wq_lo20_;
    uint64_t inv_n_tw_[4] = {}, inv_last_tw_[4] = {};
    template <bool Wide>
    friend struct NttVector;
};

}  // namespace veil::he::util
