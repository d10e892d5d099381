#include "util/galois.h"

#include <cstdlib>

#include "he/error.h"
#include "util/numth.h"

namespace veil::he::util {

uint64_t galois_elt_from_step(int step, std::size_t n) {
    const uint64_t m = 2 * uint64_t(n);
    if (step == 0) return m - 1;
    const uint64_t mag = uint64_t(std::llabs(step));
    require(mag < n / 2, "rotation step " + std::to_string(step) + " is out of range for " +
                             std::to_string(n / 2) + " slots");
    const uint64_t exponent = step < 0 ? n / 2 - mag : mag;
    uint64_t elt = 1;
    for (uint64_t i = 0; i < exponent; ++i) elt = (elt * 3) & (m - 1);
    return elt;
}

std::vector<uint32_t> galois_permutation_ntt(uint64_t galois_elt, int log_n) {
    const std::size_t n = std::size_t(1) << log_n;
    require((galois_elt & 1) && galois_elt < 2 * n, "Galois element must be odd and below 2N");
    // Position i of the NTT output holds the evaluation at psi^(2 * bitrev(i) + 1); g sends that
    // exponent e to g * e (mod 2N), whose slot is bitrev((g * e - 1) / 2).
    std::vector<uint32_t> perm(n);
    for (std::size_t i = 0; i < n; ++i) {
        uint64_t e = 2 * reverse_bits(i, log_n) + 1;
        uint64_t ge = (galois_elt * e) & (2 * n - 1);
        perm[i] = uint32_t(reverse_bits((ge - 1) >> 1, log_n));
    }
    return perm;
}

std::vector<int> naf(int value) {
    std::vector<int> terms;
    long long v = value;
    for (int bit = 0; v != 0; ++bit, v /= 2) {
        if (v & 1) {
            // Pick the digit +-1 that leaves v divisible by 4.
            int digit = ((v & 3) == 3) ? -1 : 1;
            if (v == 1 || v == -1) digit = int(v);
            terms.push_back(digit * (1 << bit));
            v -= digit;
        }
    }
    return terms;
}

}  // namespace veil::he::util
