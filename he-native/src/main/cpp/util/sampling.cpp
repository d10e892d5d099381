#include "util/sampling.h"

namespace veil::he::util {
namespace {

// Writes the small signed value v (|v| < q) into coefficient i of every RNS component.
inline void put_signed(int64_t v, std::size_t i, std::size_t n, const std::vector<Modulus>& moduli, uint64_t* dest) {
    for (std::size_t j = 0; j < moduli.size(); ++j)
        dest[j * n + i] = v < 0 ? moduli[j].value() - uint64_t(-v) : uint64_t(v);
}

}  // namespace

void sample_poly_ternary(UniformRandom& rng, std::size_t n, const std::vector<Modulus>& moduli, uint64_t* dest) {
    uint8_t buf[256];
    std::size_t avail = 0, pos = 0;
    for (std::size_t i = 0; i < n;) {
        if (pos == avail) {
            rng.generate(buf, sizeof buf);
            avail = sizeof buf;
            pos = 0;
        }
        const uint8_t b = buf[pos++];
        if (b == 255) continue;  // 255 = 3 * 85: reject the top value so b % 3 is unbiased
        put_signed(int64_t(b % 3) - 1, i++, n, moduli, dest);
    }
}

void sample_poly_cbd(UniformRandom& rng, std::size_t n, const std::vector<Modulus>& moduli, uint64_t* dest) {
    uint8_t x[6];
    for (std::size_t i = 0; i < n; ++i) {
        rng.generate(x, sizeof x);
        x[2] &= 0x1F;
        x[5] &= 0x1F;
        const int v = __builtin_popcount(x[0]) + __builtin_popcount(x[1]) + __builtin_popcount(x[2]) -
                      __builtin_popcount(x[3]) - __builtin_popcount(x[4]) - __builtin_popcount(x[5]);
        put_signed(v, i, n, moduli, dest);
    }
}

}  // namespace veil::he::util
