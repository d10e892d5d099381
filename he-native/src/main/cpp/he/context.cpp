#include "he/context.h"

#include <set>
#include <string>

#include "he/error.h"
#include "serial/serialization.h"
#include "util/numth.h"

namespace veil::he {

int max_coeff_modulus_bits(std::size_t n, SecLevel sec) {
    // HomomorphicEncryption.org standard, classical security, ternary secret (SEAL's table).
    static const std::size_t degrees[] = {1024, 2048, 4096, 8192, 16384, 32768};
    static const int tc128[] = {27, 54, 109, 218, 438, 881};
    static const int tc192[] = {19, 37, 75, 152, 305, 611};
    static const int tc256[] = {14, 29, 58, 118, 237, 476};
    for (int i = 0; i < 6; ++i) {
        if (degrees[i] != n) continue;
        switch (sec) {
            case SecLevel::tc128: return tc128[i];
            case SecLevel::tc192: return tc192[i];
            case SecLevel::tc256: return tc256[i];
            case SecLevel::none: return 0;
        }
    }
    return 0;
}

namespace {

void validate(const EncryptionParameters& parms, SecLevel sec) {
    require(parms.scheme == Scheme::ckks, "only the CKKS scheme is supported");
    const uint64_t n = parms.poly_modulus_degree;
    require(util::log2_exact(n) >= 1 && n <= 32768,
            "poly_modulus_degree must be a power of two between 2 and 32768, got " + std::to_string(n));
    require(parms.plain_modulus == 0, "plain_modulus must be 0 for CKKS");
    const auto& q = parms.coeff_modulus;
    require(!q.empty() && q.size() <= 64, "coeff_modulus must have between 1 and 64 primes");
    std::set<uint64_t> seen;
    int total_bits = 0;
    for (uint64_t p : q) {
        const std::string name = "coefficient modulus " + std::to_string(p);
        require(p >= 2 && p < (uint64_t(1) << 60), name + " must be a prime of at most 60 bits");
        require(seen.insert(p).second, name + " appears more than once");
        require(util::is_prime(p), name + " is not prime");
        require(p % (2 * n) == 1, name + " is not NTT-friendly (needs q = 1 mod 2N)");
        total_bits += 64 - __builtin_clzll(p);
    }
    if (sec != SecLevel::none) {
        int max_bits = max_coeff_modulus_bits(std::size_t(n), sec);
        require(max_bits > 0 && total_bits <= max_bits,
                "parameters are not secure at " + std::to_string(int(sec)) + " bits: coeff_modulus has " +
                    std::to_string(total_bits) + " bits, at most " + std::to_string(max_bits) +
                    " allowed for poly_modulus_degree " + std::to_string(n));
    }
}

}  // namespace

Context::Context(const EncryptionParameters& parms, SecLevel sec) {
    validate(parms, sec);
    const std::size_t k = parms.coeff_modulus.size();
    const int log_n = util::log2_exact(parms.poly_modulus_degree);
    std::vector<util::Modulus> all;
    for (uint64_t p : parms.coeff_modulus) all.emplace_back(p);
    std::vector<std::shared_ptr<const util::NttTables>> all_ntt;
    for (const auto& m : all) all_ntt.push_back(std::make_shared<const util::NttTables>(log_n, m));

    // Key level, then data levels from the top down: with k > 1 primes, k - 1 data levels.
    const std::size_t levels = k == 1 ? 1 : k;
    for (std::size_t li = 0; li < levels; ++li) {
        const std::size_t primes = li == 0 ? k : k - li;
        auto cd = std::make_unique<ContextData>();
        cd->parms_ = parms;
        cd->parms_.coeff_modulus.resize(primes);
        cd->parms_.parms_id = compute_parms_id(cd->parms_);
        cd->chain_index_ = levels - 1 - li;
        cd->log_n_ = log_n;
        cd->moduli_.assign(all.begin(), all.begin() + primes);
        cd->ntt_.assign(all_ntt.begin(), all_ntt.begin() + primes);
        for (const auto& m : cd->moduli_) cd->total_bits_ += m.bit_count();
        const uint64_t last = cd->moduli_.back().value();
        for (std::size_t j = 0; j + 1 < primes; ++j) {
            const uint64_t qj = cd->moduli_[j].value();
            cd->inv_last_mod_.emplace_back(util::inv_mod(last % qj, qj), qj);
        }
        if (!levels_.empty()) {
            cd->prev_ = levels_.back().get();
            levels_.back()->next_ = cd.get();
        }
        levels_.push_back(std::move(cd));
    }
    first_ = levels == 1 ? 0 : 1;
}

const ContextData* Context::get(const ParmsId& id) const {
    for (const auto& cd : levels_)
        if (cd->parms_id() == id) return cd.get();
    return nullptr;
}

const ContextData& Context::at(const ParmsId& id) const {
    const ContextData* cd = get(id);
    require(cd != nullptr, "parms_id does not belong to this context's modulus chain");
    return *cd;
}

}  // namespace veil::he
