#include "util/numth.h"

#include <map>

#include "he/error.h"
#include "util/modulus.h"

namespace veil::he::util {

bool is_prime(uint64_t value) {
    if (value < 2) return false;
    static const uint64_t small[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
    for (uint64_t p : small) {
        if (value == p) return true;
        if (value % p == 0) return false;
    }
    if (value >= (uint64_t(1) << 61)) {
        // Modulus is limited to 61 bits; SEAL's moduli never exceed 60 bits anyway.
        return false;
    }
    Modulus q(value);
    uint64_t d = value - 1;
    int r = 0;
    while (!(d & 1)) {
        d >>= 1;
        ++r;
    }
    // These twelve bases are a proven deterministic witness set for all n < 3.3e24.
    for (uint64_t a : small) {
        uint64_t x = pow_mod(a, d, q);
        if (x == 1 || x == value - 1) continue;
        bool composite = true;
        for (int i = 1; i < r; ++i) {
            x = mul_mod(x, x, q);
            if (x == value - 1) {
                composite = false;
                break;
            }
        }
        if (composite) return false;
    }
    return true;
}

std::vector<uint64_t> create_coeff_modulus(std::size_t n, const std::vector<int>& bit_sizes) {
    require(log2_exact(n) >= 1 && n <= 32768, "poly_modulus_degree must be a power of two in [2, 32768]");
    require(!bit_sizes.empty() && bit_sizes.size() <= 64, "coefficient modulus needs 1 to 64 primes");
    for (int b : bit_sizes) require(b >= 2 && b <= 60, "coefficient modulus bit sizes must be in [2, 60]");

    const uint64_t factor = 2 * uint64_t(n);
    std::map<int, std::size_t> wanted;
    for (int b : bit_sizes) ++wanted[b];
    // Per size: primes in descending order, as found.
    std::map<int, std::vector<uint64_t>> found;
    for (auto [bits, count] : wanted) {
        std::vector<uint64_t>& list = found[bits];
        uint64_t candidate = ((uint64_t(1) << bits) - 1) / factor * factor + 1;
        const uint64_t lower = uint64_t(1) << (bits - 1);
        while (list.size() < count && candidate > lower) {
            if (is_prime(candidate)) list.push_back(candidate);
            candidate -= factor;
        }
        require(list.size() == count, "not enough NTT-friendly primes of " + std::to_string(bits) +
                                          " bits for poly_modulus_degree " + std::to_string(n));
    }
    std::vector<uint64_t> result;
    for (int b : bit_sizes) {
        result.push_back(found[b].back());
        found[b].pop_back();
    }
    return result;
}

bool minimal_primitive_root(uint64_t degree, uint64_t q_value, uint64_t& root) {
    if (log2_exact(degree) < 1 || q_value < 3 || (q_value - 1) % degree) return false;
    Modulus q(q_value);
    const uint64_t cofactor = (q_value - 1) / degree;
    // g^cofactor is a primitive degree-th root iff its (degree/2)-th power is -1.
    uint64_t g = 0;
    for (uint64_t x = 2; x < q_value && x < 1000000; ++x) {
        uint64_t c = pow_mod(x, cofactor, q);
        if (pow_mod(c, degree / 2, q) == q_value - 1) {
            g = c;
            break;
        }
    }
    if (!g) return false;
    // All primitive roots are the odd powers of g; take the smallest.
    uint64_t g2 = mul_mod(g, g, q), cur = g, best = g;
    for (uint64_t i = 1; i < degree / 2; ++i) {
        cur = mul_mod(cur, g2, q);
        if (cur < best) best = cur;
    }
    root = best;
    return true;
}

}  // namespace veil::he::util
