#include "serial/serialization.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "util/hash/blake2b.h"

namespace veil::he::serial {
namespace {

// SEAL's bounds on a ciphertext's polynomial count and a RelinKeys' slot count.
constexpr std::uint64_t kCiphertextSizeMin = 2;
constexpr std::uint64_t kCiphertextSizeMax = 16;
constexpr std::uint64_t kRelinSlotsMax = kCiphertextSizeMax - 2;
constexpr std::size_t kPrngInfoBytes = 1 + kPrngSeedBytes;
// Fixed-size members around the coefficient array: ids, counts, scale, nested headers, a seed frame.
constexpr std::size_t kMetadataSlack = 256;

std::size_t cap(const Limits &limits, std::uint64_t bound) {
    return std::size_t(std::min<std::uint64_t>(limits.max_object_bytes, bound));
}

std::string hex_id(const ParmsId &id) {
    std::string s;
    char buf[20];
    for (std::size_t i = 0; i < id.size(); ++i) {
        std::snprintf(buf, sizeof buf, "%s%016llx", i ? " " : "", static_cast<unsigned long long>(id[i]));
        s += buf;
    }
    return s;
}

// A buffer passed to a loader holds exactly one object: bytes after it are an error, not ignored.
void require_end(const ByteReader &in, const char *what) {
    if (in.remaining() != 0)
        throw Error(std::string(what) + ": " + std::to_string(in.remaining()) +
                    " unexpected bytes after the serialized object");
}

ParmsId read_parms_id(ByteReader &r) {
    ParmsId id;
    for (auto &w : id) w = r.u64("parms_id");
    return id;
}

void write_parms_id(ByteWriter &w, const ParmsId &id) {
    for (auto v : id) w.u64(v);
}

void require_positive_scale(double scale, const char *what) {
    if (!std::isfinite(scale) || scale <= 0)
        throw Error(std::string(what) + " scale must be a positive finite number, got " + std::to_string(scale));
}

// Every residue must be below the prime of its RNS component; data holds polys blocks of k*n words.
void require_reduced(const std::uint64_t *data, std::size_t polys, std::size_t n, const std::vector<std::uint64_t> &q,
                     const char *what) {
    for (std::size_t p = 0; p < polys; ++p)
        for (std::size_t j = 0; j < q.size(); ++j) {
            const std::uint64_t qj = q[j];
            for (std::size_t i = 0; i < n; ++i, ++data)
                if (*data >= qj)
                    throw Error(std::string(what) + " coefficient " + std::to_string(i) + " of RNS component " +
                                std::to_string(j) + " is not reduced modulo " + std::to_string(qj));
        }
}

const ContextData &level_of(const Context &ctx, const ParmsId &id, bool key_level, const char *what) {
    const ContextData *cd = ctx.get(id);
    if (cd == nullptr)
        throw Error(std::string(what) + " parms_id " + hex_id(id) + " is not in this context's modulus chain");
    if (key_level && id != ctx.key_parms_id())
        throw Error(std::string(what) + " must be at the key level (all primes)");
    if (!key_level && cd->chain_index() > ctx.first_data().chain_index())
        throw Error(std::string(what) + " is at the key level; expected a data level");
    return *cd;
}

// A DynArray<uint64_t> frame: count, then words. dest is sized to the count only after the count is
// checked against max_count and against the bytes actually present.
template <class Words>
void read_word_array(ByteReader &r, Words &dest, std::size_t max_count, const Limits &limits, const char *what) {
    read_frame(r, cap(limits, 8 + std::uint64_t(max_count) * 8), [&](ByteReader &m) {
        std::uint64_t declared = m.u64("coefficient count");
        if (declared > max_count)
            throw Error(std::string(what) + " holds " + std::to_string(declared) + " coefficients; at most " +
                        std::to_string(max_count) + " fit its declared shape");
        m.need(std::size_t(declared) * 8, "coefficient data");
        dest.resize(std::size_t(declared));
        m.u64_array(dest.data(), dest.size(), "coefficient data");
    });
}

void write_word_array(ByteWriter &w, const std::uint64_t *data, std::size_t count) {
    write_frame(w, ComprMode::none, [&](ByteWriter &m) {
        m.u64(count);
        m.u64_array(data, count);
    });
}

struct SeedInfo {
    PrngType type = PrngType::unknown;
    PrngSeed seed{};
};

SeedInfo read_seed_info(ByteReader &r, const Limits &limits) {
    SeedInfo info;
    read_frame(r, cap(limits, kPrngInfoBytes), [&](ByteReader &m) {
        std::uint8_t type = m.u8("PRNG type");
        if (type != std::uint8_t(PrngType::blake2xb) && type != std::uint8_t(PrngType::shake256))
            throw Error("seeded object names unsupported PRNG type " + std::to_string(type));
        info.type = PrngType(type);
        for (auto &w : info.seed) w = m.u64("PRNG seed");
    });
    return info;
}

void write_seed_info(ByteWriter &w, PrngType type, const PrngSeed &seed) {
    write_frame(w, ComprMode::none, [&](ByteWriter &m) {
        m.u8(std::uint8_t(type));
        for (auto v : seed) m.u64(v);
    });
}

std::uint64_t ciphertext_bound(const Context &ctx, std::uint64_t polys) {
    const ContextData &key = ctx.key_data();
    return kMetadataSlack + polys * key.n() * key.size() * 8;
}

// Ciphertext members (also the body of a PublicKey and of each key-switching key component).
Ciphertext read_ciphertext_members(ByteReader &r, const Context &ctx, const Limits &limits, bool key_level,
                                   const char *what) {
    Ciphertext ct;
    ct.parms_id = read_parms_id(r);
    ct.is_ntt_form = r.u8("is_ntt_form") != 0;
    ct.size = r.u64("ciphertext size");
    ct.poly_modulus_degree = r.u64("poly_modulus_degree");
    ct.coeff_modulus_size = r.u64("coeff_modulus_size");
    ct.scale = r.f64("scale");
    ct.correction_factor = r.u64("correction_factor");

    const ContextData &cd = level_of(ctx, ct.parms_id, key_level, what);
    const std::size_t n = cd.n(), k = cd.size();
    if (ct.poly_modulus_degree != n || ct.coeff_modulus_size != k)
        throw Error(std::string(what) + " shape (degree " + std::to_string(ct.poly_modulus_degree) + ", " +
                    std::to_string(ct.coeff_modulus_size) + " primes) does not match its level (degree " +
                    std::to_string(n) + ", " + std::to_string(k) + " primes)");
    if (ct.size != 0 && (ct.size < kCiphertextSizeMin || ct.size > kCiphertextSizeMax))
        throw Error(std::string(what) + " has " + std::to_string(ct.size) + " polynomials; expected 2 to 16");
    if (!ct.is_ntt_form) throw Error(std::string(what) + " must be in NTT form (CKKS)");
    require_positive_scale(ct.scale, what);
    if (ct.correction_factor != 1)
        throw Error(std::string(what) + " correction factor must be 1 for CKKS, got " +
                    std::to_string(ct.correction_factor));

    const std::size_t poly_words = n * k;
    const std::size_t total = std::size_t(ct.size) * poly_words;
    read_word_array(r, ct.data, total, limits, what);
    const std::size_t count = ct.data.size();
    if (ct.size == 2 && count == poly_words) {
        // Seeded form: the second polynomial is regenerated from the PRNG seed that follows.
        SeedInfo info = read_seed_info(r, limits);
        ct.data.resize(total);
        expand_seed(info.type, info.seed, n, cd.parms().coeff_modulus, ct.data.data() + poly_words);
        ct.seed_type = info.type;
        ct.seed = info.seed;
    } else if (count != total) {
        throw Error(std::string(what) + " holds " + std::to_string(count) + " coefficients; expected " +
                    std::to_string(total));
    }
    require_reduced(ct.data.data(), std::size_t(ct.size), n, cd.parms().coeff_modulus, what);
    return ct;
}

void write_ciphertext_members(ByteWriter &w, const Ciphertext &ct, bool seeded) {
    const std::size_t poly_words = std::size_t(ct.poly_modulus_degree * ct.coeff_modulus_size);
    if (ct.data.size() != std::size_t(ct.size) * poly_words)
        throw Error("ciphertext data size does not match its declared shape");
    write_parms_id(w, ct.parms_id);
    w.u8(ct.is_ntt_form ? 1 : 0);
    w.u64(ct.size);
    w.u64(ct.poly_modulus_degree);
    w.u64(ct.coeff_modulus_size);
    w.f64(ct.scale);
    w.u64(ct.correction_factor);
    if (seeded) {
        write_word_array(w, ct.data.data(), poly_words);
        write_seed_info(w, ct.seed_type, ct.seed);
    } else {
        write_word_array(w, ct.data.data(), ct.data.size());
    }
}

Plaintext read_plaintext_members(ByteReader &r, const Context &ctx, const Limits &limits, bool key_level,
                                 const char *what) {
    Plaintext pt;
    pt.parms_id = read_parms_id(r);
    pt.coeff_count = r.u64("coeff_count");
    pt.scale = r.f64("scale");
    if (!pt.is_ntt_form()) throw Error(std::string(what) + " must be in NTT form (CKKS); its parms_id is zero");
    const ContextData &cd = level_of(ctx, pt.parms_id, key_level, what);
    const std::size_t n = cd.n(), k = cd.size();
    if (pt.coeff_count != n * k)
        throw Error(std::string(what) + " declares " + std::to_string(pt.coeff_count) + " coefficients; its level has " +
                    std::to_string(n * k));
    require_positive_scale(pt.scale, what);
    read_word_array(r, pt.data, n * k, limits, what);
    if (pt.data.size() != n * k)
        throw Error(std::string(what) + " holds " + std::to_string(pt.data.size()) + " coefficients; expected " +
                    std::to_string(n * k));
    require_reduced(pt.data.data(), 1, n, cd.parms().coeff_modulus, what);
    return pt;
}

void write_plaintext_members(ByteWriter &w, const Plaintext &pt) {
    if (pt.data.size() != pt.coeff_count) throw Error("plaintext data size does not match its coeff_count");
    write_parms_id(w, pt.parms_id);
    w.u64(pt.coeff_count);
    w.f64(pt.scale);
    write_word_array(w, pt.data.data(), pt.data.size());
}

template <class Keys>
Keys read_kswitch_keys(const Context &ctx, const std::uint8_t *data, std::size_t size, const Limits &limits,
                       std::uint64_t max_slots, const char *what) {
    Keys keys;
    ByteReader in(data, size);
    const std::size_t decomp = ctx.first_data().size();
    read_frame(in, cap(limits, limits.max_object_bytes), [&](ByteReader &r) {
        keys.parms_id = read_parms_id(r);
        if (keys.parms_id != ctx.key_parms_id())
            throw Error(std::string(what) + " parms_id " + hex_id(keys.parms_id) +
                        " is not this context's key level");
        std::uint64_t slots = r.u64("key slot count");
        if (slots > max_slots)
            throw Error(std::string(what) + " declare " + std::to_string(slots) + " slots; at most " +
                        std::to_string(max_slots) + " are possible");
        if (slots > r.remaining() / 8) // each slot needs at least its 8-byte component count
            throw Error(std::string("truncated input: ") + what + " declare " + std::to_string(slots) +
                        " slots but only " + std::to_string(r.remaining()) + " bytes remain");
        keys.keys.resize(std::size_t(slots));
        for (auto &slot : keys.keys) {
            std::uint64_t parts = r.u64("key component count");
            if (parts != 0 && parts != decomp)
                throw Error(std::string(what) + " slot has " + std::to_string(parts) + " components; expected " +
                            std::to_string(decomp) + " (one per data prime) or none");
            slot.reserve(std::size_t(parts));
            for (std::uint64_t j = 0; j < parts; ++j) {
                PublicKey pk;
                read_frame(r, cap(limits, ciphertext_bound(ctx, 2)), [&](ByteReader &m) {
                    pk.data = read_ciphertext_members(m, ctx, limits, true, what);
                });
                if (pk.data.size != 2) throw Error(std::string(what) + " component must have 2 polynomials");
                slot.push_back(std::move(pk));
            }
        }
    });
    require_end(in, what);
    return keys;
}

void check_seed(const Context &ctx, const Ciphertext &ct) {
    if (!ct.is_seeded()) throw Error("object carries no PRNG seed; it can only be saved in full form");
    if (ct.size != 2) throw Error("only a 2-polynomial ciphertext can be saved in seeded form");
    const ContextData &cd = ctx.at(ct.parms_id);
    const std::size_t words = std::size_t(ct.poly_modulus_degree * ct.coeff_modulus_size);
    if (ct.poly_modulus_degree != cd.n() || ct.coeff_modulus_size != cd.size() || ct.data.size() != 2 * words)
        throw Error("ciphertext shape does not match its level");
    std::vector<std::uint64_t> expanded(words);
    expand_seed(ct.seed_type, ct.seed, cd.n(), cd.parms().coeff_modulus, expanded.data());
    if (!std::equal(expanded.begin(), expanded.end(), ct.data.begin() + std::ptrdiff_t(words)))
        throw Error("seed does not reproduce the second polynomial; cannot save in seeded form");
}

} // namespace

ParmsId compute_parms_id(const EncryptionParameters &parms) {
    ByteWriter w;
    w.u64(std::uint64_t(parms.scheme));
    w.u64(parms.poly_modulus_degree);
    for (auto q : parms.coeff_modulus) w.u64(q);
    w.u64(parms.plain_modulus);
    std::uint8_t digest[32];
    hash::blake2b(digest, sizeof digest, w.bytes().data(), w.size());
    ByteReader r(digest, sizeof digest);
    ParmsId id = read_parms_id(r);
    if (id == kParmsIdZero) throw Error("parms_id hashed to zero, which is reserved");
    return id;
}

void expand_seed(PrngType type, const PrngSeed &seed, std::size_t n, const std::vector<std::uint64_t> &moduli,
                 std::uint64_t *dest) {
    SeededPrng prng(type, seed);
    sample_poly_uniform(prng, n, moduli, dest);
}

EncryptionParameters load_parms(const std::uint8_t *data, std::size_t size, const Limits &limits) {
    EncryptionParameters parms;
    ByteReader in(data, size);
    auto read_modulus = [&](ByteReader &r) {
        std::uint64_t value = 0;
        read_frame(r, 8, [&](ByteReader &m) { value = m.u64("modulus value"); });
        if (value == 1 || (value >> 61) != 0)
            throw Error("modulus " + std::to_string(value) + " is invalid: at most 61 bits and not 1");
        return value;
    };
    const std::uint64_t bound = 17 + (limits.max_coeff_modulus_count + 1) * (kSealHeaderSize + 8);
    read_frame(in, cap(limits, bound), [&](ByteReader &r) {
        std::uint8_t scheme = r.u8("scheme");
        if (scheme != std::uint8_t(Scheme::ckks))
            throw Error("only CKKS parameters are supported; scheme byte is " + std::to_string(scheme));
        parms.scheme = Scheme::ckks;
        parms.poly_modulus_degree = r.u64("poly_modulus_degree");
        if (parms.poly_modulus_degree > limits.max_poly_modulus_degree)
            throw Error("poly_modulus_degree " + std::to_string(parms.poly_modulus_degree) + " exceeds the limit " +
                        std::to_string(limits.max_poly_modulus_degree));
        std::uint64_t k = r.u64("coeff_modulus count");
        if (k > limits.max_coeff_modulus_count)
            throw Error("coeff_modulus has " + std::to_string(k) + " primes; the limit is " +
                        std::to_string(limits.max_coeff_modulus_count));
        for (std::uint64_t j = 0; j < k; ++j) parms.coeff_modulus.push_back(read_modulus(r));
        parms.plain_modulus = read_modulus(r);
        if (parms.plain_modulus != 0) throw Error("plain_modulus must be 0 for CKKS");
    });
    require_end(in, "encryption parameters");
    parms.parms_id = compute_parms_id(parms);
    return parms;
}

Plaintext load_plaintext(const Context &ctx, const std::uint8_t *data, std::size_t size, const Limits &limits) {
    Plaintext pt;
    ByteReader in(data, size);
    read_frame(in, cap(limits, ciphertext_bound(ctx, 1)),
               [&](ByteReader &r) { pt = read_plaintext_members(r, ctx, limits, false, "plaintext"); });
    require_end(in, "plaintext");
    return pt;
}

Ciphertext load_ciphertext(const Context &ctx, const std::uint8_t *data, std::size_t size, const Limits &limits) {
    Ciphertext ct;
    ByteReader in(data, size);
    read_frame(in, cap(limits, ciphertext_bound(ctx, kCiphertextSizeMax)),
               [&](ByteReader &r) { ct = read_ciphertext_members(r, ctx, limits, false, "ciphertext"); });
    require_end(in, "ciphertext");
    return ct;
}

PublicKey load_public_key(const Context &ctx, const std::uint8_t *data, std::size_t size, const Limits &limits) {
    PublicKey pk;
    ByteReader in(data, size);
    read_frame(in, cap(limits, ciphertext_bound(ctx, 2)),
               [&](ByteReader &r) { pk.data = read_ciphertext_members(r, ctx, limits, true, "public key"); });
    require_end(in, "public key");
    if (pk.data.size != 2) throw Error("public key must have 2 polynomials");
    return pk;
}

SecretKey load_secret_key(const Context &ctx, const std::uint8_t *data, std::size_t size, const Limits &limits) {
    SecretKey sk;
    ByteReader in(data, size);
    read_frame(in, cap(limits, ciphertext_bound(ctx, 1)),
               [&](ByteReader &r) { sk.data = read_plaintext_members(r, ctx, limits, true, "secret key"); });
    require_end(in, "secret key");
    return sk;
}

RelinKeys load_relin_keys(const Context &ctx, const std::uint8_t *data, std::size_t size, const Limits &limits) {
    return read_kswitch_keys<RelinKeys>(ctx, data, size, limits, kRelinSlotsMax, "relinearization keys");
}

GaloisKeys load_galois_keys(const Context &ctx, const std::uint8_t *data, std::size_t size, const Limits &limits) {
    return read_kswitch_keys<GaloisKeys>(ctx, data, size, limits, ctx.key_data().n(), "Galois keys");
}

std::vector<std::uint8_t> save(const EncryptionParameters &parms, ComprMode mode) {
    ByteWriter w;
    auto write_modulus = [](ByteWriter &m, std::uint64_t q) {
        write_frame(m, ComprMode::none, [&](ByteWriter &v) { v.u64(q); });
    };
    write_frame(w, mode, [&](ByteWriter &m) {
        m.u8(std::uint8_t(parms.scheme));
        m.u64(parms.poly_modulus_degree);
        m.u64(parms.coeff_modulus.size());
        for (auto q : parms.coeff_modulus) write_modulus(m, q);
        write_modulus(m, parms.plain_modulus);
    });
    return std::move(w.bytes());
}

std::vector<std::uint8_t> save(const Plaintext &pt, ComprMode mode) {
    ByteWriter w;
    write_frame(w, mode, [&](ByteWriter &m) { write_plaintext_members(m, pt); });
    return std::move(w.bytes());
}

std::vector<std::uint8_t> save(const Ciphertext &ct, ComprMode mode) {
    ByteWriter w;
    // parms_id, flag, five words of shape and scale, then the coefficients' own frame (header, count, words)
    const std::size_t members = 32 + 1 + 5 * 8 + kSealHeaderSize + 8 + ct.data.size() * 8;
    write_frame(w, mode, [&](ByteWriter &m) { write_ciphertext_members(m, ct, false); }, members);
    return std::move(w.bytes());
}

std::vector<std::uint8_t> save(const PublicKey &pk, ComprMode mode) { return save(pk.data, mode); }

std::vector<std::uint8_t> save(const SecretKey &sk, ComprMode mode) { return save(sk.data, mode); }

namespace {
std::vector<std::uint8_t> save_keys(const KSwitchKeys &keys, bool seeded, ComprMode mode) {
    ByteWriter w;
    write_frame(w, mode, [&](ByteWriter &m) {
        write_parms_id(m, keys.parms_id);
        m.u64(keys.keys.size());
        for (std::size_t s = 0; s < keys.keys.size(); ++s) {
            m.u64(keys.keys[s].size());
            for (const PublicKey &key : keys.keys[s])
                write_frame(m, ComprMode::none, [&](ByteWriter &c) { write_ciphertext_members(c, key.data, seeded); });
        }
    });
    return std::move(w.bytes());
}
} // namespace

std::vector<std::uint8_t> save(const KSwitchKeys &keys, ComprMode mode) { return save_keys(keys, false, mode); }

std::vector<std::uint8_t> save_seeded(const Context &ctx, const Ciphertext &ct, ComprMode mode) {
    check_seed(ctx, ct);
    ByteWriter w;
    write_frame(w, mode, [&](ByteWriter &m) { write_ciphertext_members(m, ct, true); });
    return std::move(w.bytes());
}

std::vector<std::uint8_t> save_seeded(const Context &ctx, const PublicKey &pk, ComprMode mode) {
    return save_seeded(ctx, pk.data, mode);
}

std::vector<std::uint8_t> save_seeded(const Context &ctx, const KSwitchKeys &keys, ComprMode mode) {
    for (const auto &slot : keys.keys)
        for (const PublicKey &key : slot) check_seed(ctx, key.data);
    return save_keys(keys, true, mode);
}

} // namespace veil::he::serial
