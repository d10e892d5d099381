// Internal invariants of the engine, runnable without Java (ctest): NTT against a direct evaluation,
// IFMA vs scalar kernels bit for bit, parameter validation, encode/decode, encrypt/decrypt and every
// evaluator operation checked by decrypting. Compatibility with SEAL itself is proven by the Java
// tests against node-seal.
#include <cmath>
#include <complex>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "he/context.h"
#include "he/decryptor.h"
#include "he/encoder.h"
#include "he/encryptor.h"
#include "he/error.h"
#include "he/evaluator.h"
#include "he/keygenerator.h"
#include "serial/base64.h"
#include "util/coeff_vector.h"
#include "util/galois.h"
#include "util/ntt.h"
#include "util/numth.h"
#include "util/polyarith.h"
#include "util/simd.h"

using namespace veil::he;

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
    if (!ok) ++failures;
}

bool throws(const std::function<void()>& f, const char* needle) {
    try {
        f();
    } catch (const Error& e) {
        return std::string(e.what()).find(needle) != std::string::npos;
    }
    return false;
}

std::shared_ptr<const Context> make_context(std::size_t n, const std::vector<int>& bits,
                                            SecLevel sec = SecLevel::tc128) {
    EncryptionParameters p;
    p.scheme = Scheme::ckks;
    p.poly_modulus_degree = n;
    p.coeff_modulus = util::create_coeff_modulus(n, bits);
    return std::make_shared<const Context>(p, sec);
}

void test_ntt() {
    std::mt19937_64 rng(7);
    for (int log_n : {3, 4, 6, 7, 10}) {
        for (int bits : {30, 45, 49, 50, 55, 60}) {
            const std::size_t n = std::size_t(1) << log_n;
            const uint64_t q = util::create_coeff_modulus(n, {bits})[0];
            const util::Modulus m(q);
            util::NttTables t(log_n, m);
            std::vector<uint64_t> a(n), expect(n);
            for (auto& x : a) x = rng() % q;
            // Output slot k is the evaluation at psi^(2 * bitrev(k) + 1).
            for (std::size_t k = 0; k < n; ++k) {
                const uint64_t root = util::pow_mod(t.root(), 2 * util::reverse_bits(k, log_n) + 1, m);
                uint64_t acc = 0, pw = 1;
                for (std::size_t j = 0; j < n; ++j) {
                    acc = util::add_mod(acc, util::mul_mod(a[j], pw, m), q);
                    pw = util::mul_mod(pw, root, m);
                }
                expect[k] = acc;
            }
            bool ok = true;
            for (bool ifma : {false, true}) {
                util::set_ifma_enabled(ifma);
                std::vector<uint64_t> b = a;
                t.forward(b.data());
                ok = ok && b == expect;
                t.inverse(b.data());
                ok = ok && b == a;
            }
            util::set_ifma_enabled(true);
            check(ok, "NTT n=" + std::to_string(n) + " q~2^" + std::to_string(bits) + " matches direct evaluation");
        }
    }
    // Largest inputs, at every size whose vector transforms split the stages differently (radix-4 passes
    // swept whole or block by block, chunk passes with or without the span-8 stage) and at primes where
    // the 52-bit lanes reduce at different stages (40 bits: never; 46-47: just under the bound; 48-50:
    // every few stages; 50 bits leaves 52-bit lanes only 4q) and the 64-bit lanes (60 and 61 bits, where
    // 8q nearly fills them): vector and portable agree, forward and inverse.
    std::vector<uint64_t> primes61;  // 61-bit NTT-friendly primes (create_coeff_modulus stops at 60 bits)
    for (uint64_t c = (uint64_t(1) << 61) - (uint64_t(1) << 16) + 1; primes61.empty(); c -= uint64_t(1) << 16)
        if (util::is_prime(c)) primes61.push_back(c);
    for (int bits : {40, 46, 47, 48, 50, 60, 61}) for (int log_n : {11, 12, 13, 14, 15}) {
        const std::size_t n = std::size_t(1) << log_n;
        const uint64_t q = bits == 61 ? primes61[0] : util::create_coeff_modulus(n, {bits})[0];
        util::NttTables t(log_n, util::Modulus(q));
        bool ok = true;
        for (int fill = 0; fill < 2; ++fill) {
            std::vector<uint64_t> a(n);
            for (auto& x : a) x = fill == 0 ? q - 1 : (rng() & 1 ? q - 1 - rng() % 4 : rng() % q);
            std::vector<uint64_t> scalar = a, vector = a;
            util::set_ifma_enabled(false);
            t.forward(scalar.data());
            util::set_ifma_enabled(true);
            t.forward(vector.data());
            ok = ok && scalar == vector;
            t.inverse(vector.data());
            ok = ok && vector == a;
            scalar = a;
            vector = a;
            util::set_ifma_enabled(false);
            t.inverse(scalar.data());
            util::set_ifma_enabled(true);
            t.inverse(vector.data());
            ok = ok && scalar == vector;
        }
        check(ok, "NTT n=" + std::to_string(n) + " q~2^" + std::to_string(bits) +
                      " with extreme inputs: vector equals portable");
    }
    // Minimal root: no smaller primitive 2N-th root exists.
    const uint64_t q = util::create_coeff_modulus(64, {20})[0];
    util::NttTables t(6, util::Modulus(q));
    bool minimal = true;
    for (uint64_t x = 2; x < t.root(); ++x)
        if (util::pow_mod(x, 64, util::Modulus(q)) == q - 1) minimal = false;
    check(minimal, "NTT root is the minimal primitive 2N-th root");
}

// Every coefficient-wise kernel gives the same words with and without AVX-512, against an exact
// 128-bit reference, for primes from 20 to 60 bits (the IFMA limits sit at 50 and 51 bits) and inputs
// that include the extremes 0 and q - 1.
void test_kernels() {
    std::mt19937_64 rng(7);
    const std::size_t n = 64;
    for (int bits : {20, 30, 40, 43, 44, 48, 49, 50, 52, 60}) {
        const util::Modulus q(util::create_coeff_modulus(n, {bits})[0]);
        const uint64_t qv = q.value();
        auto random_poly = [&] {
            std::vector<uint64_t> v(n);
            for (auto& x : v) x = rng() % qv;
            v[0] = qv - 1;
            v[1] = 0;
            v[2] = qv - 1;
            return v;
        };
        const std::size_t terms = 16;
        std::vector<std::vector<uint64_t>> a, b0, b1;
        for (std::size_t j = 0; j < terms; ++j) {
            a.push_back(random_poly());
            b0.push_back(random_poly());
            b1.push_back(random_poly());
        }
        std::vector<uint64_t> wide(n);
        for (auto& x : wide) x = rng();
        wide[3] = ~uint64_t(0);
        std::vector<uint32_t> perm(n);
        for (std::size_t i = 0; i < n; ++i) perm[i] = uint32_t((i * 5 + 3) % n);
        const uint64_t w = rng() % qv, c = rng() % qv;
        std::vector<const uint64_t*> pa, pb0, pb1;
        for (std::size_t j = 0; j < terms; ++j) {
            pa.push_back(a[j].data());
            pb0.push_back(b0[j].data());
            pb1.push_back(b1[j].data());
        }
        auto run_all = [&] {
            std::vector<std::vector<uint64_t>> r(13, std::vector<uint64_t>(n));
            util::multiply_poly(a[0].data(), a[1].data(), r[0].data(), n, q);
            util::tensor_poly(a[0].data(), a[1].data(), b0[0].data(), b0[1].data(), r[1].data(), r[2].data(),
                              r[3].data(), n, q);
            for (std::size_t t : {std::size_t(2), std::size_t(3), terms})
                util::dot_product2_poly(pa.data(), t == 3 ? perm.data() : nullptr, pb0.data(), pb1.data(), t,
                                        r[4].data(), r[5].data(), n, q);
            util::reduce_sub_poly(wide.data(), c, r[6].data(), n, q);
            util::sub_multiply_scalar_poly(a[0].data(), a[1].data(), util::MulOperand(w, qv), r[7].data(), n, qv);
            util::add_poly(a[0].data(), a[1].data(), r[8].data(), n, qv);
            util::sub_poly(a[0].data(), a[1].data(), r[9].data(), n, qv);
            util::negate_poly(a[1].data(), r[10].data(), n, qv);
            util::multiply_poly2(a[2].data(), a[3].data(), b0[2].data(), r[11].data(), r[12].data(), n, q);
            return r;
        };
        util::set_ifma_enabled(false);
        const auto scalar = run_all();
        util::set_ifma_enabled(true);
        const auto vector = run_all();
        bool exact = true;
        for (std::size_t i = 0; i < n; ++i) {
            const util::u128 p01 = util::u128(a[0][i]) * a[1][i];
            exact = exact && scalar[0][i] == uint64_t(p01 % qv);
            exact = exact && scalar[2][i] == uint64_t((util::u128(a[0][i]) * b0[1][i] + util::u128(a[1][i]) * b0[0][i]) % qv);
            util::u128 s0 = 0;
            for (std::size_t j = 0; j < terms; ++j) s0 += util::u128(a[j][i]) * b0[j][i];
            exact = exact && scalar[4][i] == uint64_t(s0 % qv);
            exact = exact && scalar[6][i] == (wide[i] % qv + qv - c) % qv;
            exact = exact && scalar[7][i] == uint64_t(util::u128((a[0][i] + qv - a[1][i]) % qv) * w % qv);
            exact = exact && scalar[10][i] == (qv - a[1][i]) % qv;
            exact = exact && scalar[11][i] == uint64_t(util::u128(a[2][i]) * b0[2][i] % qv) &&
                    scalar[12][i] == uint64_t(util::u128(a[3][i]) * b0[2][i] % qv);
        }
        check(exact, "scalar kernels exact, " + std::to_string(bits) + "-bit prime");
        check(scalar == vector, "AVX-512 kernels equal scalar ones, " + std::to_string(bits) + "-bit prime");
    }
}

// The one-correction products (primes up to 49 bits) rest on q > 2^(L-1), the 64-bit-lane products (50 to 61
// bits) on a remainder below 5q: the worst cases are the smallest and largest primes of a width, operands near
// q - 1. Products, shared-operand products and the tensor against 128-bit
// arithmetic, in place (the evaluator's use), with AVX-512.
void test_product_bounds() {
    std::mt19937_64 rng(11);
    const std::size_t n = 4096;
    for (int bits : {17, 30, 44, 48, 49, 50, 51, 52, 56, 60, 61}) {
        // The smallest and the largest prime of that bit width.
        for (const bool smallest : {true, false}) {
            uint64_t qv = smallest ? (uint64_t(1) << (bits - 1)) + 1 : (uint64_t(1) << bits) - 1;
            while (!util::is_prime(qv)) qv = smallest ? qv + 2 : qv - 2;
            const util::Modulus q(qv);
            std::vector<std::vector<uint64_t>> v(4, std::vector<uint64_t>(n));
            for (auto& p : v)
                for (std::size_t i = 0; i < n; ++i) p[i] = i % 3 == 0 ? qv - 1 - rng() % 64 : rng() % qv;
            std::vector<uint64_t> m(n), x0 = v[0], x1 = v[1], t0 = v[0], t1 = v[1], t2(n);
            util::CoeffVector s0(v[0].begin(), v[0].end()), s1(v[1].begin(), v[1].end()), s2(n);
            util::multiply_poly(v[0].data(), v[2].data(), m.data(), n, q);
            util::multiply_poly2(x0.data(), x1.data(), v[2].data(), x0.data(), x1.data(), n, q);
            util::tensor_poly(t0.data(), t1.data(), v[2].data(), v[3].data(), t0.data(), t1.data(), t2.data(), n, q);
            util::tensor_poly(s0.data(), s1.data(), v[2].data(), v[3].data(), s0.data(), s1.data(), s2.data(), n, q,
                              true);  // c2 written around the cache
            bool exact = true;
            for (std::size_t i = 0; i < n; ++i) {
                const util::u128 a0 = v[0][i], a1 = v[1][i], b0 = v[2][i], b1 = v[3][i];
                exact = exact && m[i] == uint64_t(a0 * b0 % qv) && x0[i] == m[i] && x1[i] == uint64_t(a1 * b0 % qv);
                exact = exact && t0[i] == m[i] && t1[i] == uint64_t((a0 * b1 + a1 * b0) % qv) &&
                        t2[i] == uint64_t(a1 * b1 % qv);
                exact = exact && s0[i] == t0[i] && s1[i] == t1[i] && s2[i] == t2[i];
            }
            check(exact, "products exact near the bounds, q = " + std::to_string(qv) + " (" + std::to_string(bits) +
                             " bits)");
        }
    }
}

void test_primes_and_context() {
    // CoeffModulus::Create hands out equal-sized primes smallest first.
    auto p = util::create_coeff_modulus(8192, {60, 40, 40, 60});
    check(p[0] < p[3] && p[1] < p[2] && p[0] % 16384 == 1 && util::is_prime(p[1]),
          "create_coeff_modulus order and NTT-friendliness");
    check(!util::is_prime(1099511627777ULL) && util::is_prime(1099511480321ULL) && !util::is_prime(3215031751ULL),
          "Miller-Rabin on primes and strong pseudoprimes");

    auto ctx = make_context(8192, {60, 40, 40, 60});
    check(ctx->key_data().chain_index() == 3 && ctx->first_data().size() == 3 && ctx->last_data().size() == 1 &&
              ctx->first_data().chain_index() == 2 && ctx->using_keyswitching(),
          "context chain: key level + 3 data levels");
    check(ctx->get(ctx->first_parms_id()) == &ctx->first_data() && ctx->key_parms_id() != ctx->first_parms_id(),
          "context lookup by parms_id");

    auto bad = [](std::size_t n, std::vector<uint64_t> q) {
        EncryptionParameters e;
        e.poly_modulus_degree = n;
        e.coeff_modulus = std::move(q);
        Context c(e);
    };
    check(throws([&] { bad(8192, {p[0], p[1], p[1]}); }, "more than once"), "duplicate prime rejected");
    check(throws([&] { bad(8192, {p[0], p[1] + 2}); }, "not prime"), "composite modulus rejected");
    check(throws([&] { bad(8192, {p[0], 1099511627791ULL}); }, "NTT-friendly"), "non-NTT-friendly prime rejected");
    check(throws([&] { bad(6000, {p[0]}); }, "power of two"), "degree not a power of two rejected");
    check(throws([&] { make_context(8192, {60, 60, 60, 60}); }, "not secure"), "insecure modulus rejected");
}

double max_error(const std::vector<std::complex<double>>& a, const std::vector<std::complex<double>>& b) {
    double e = 0;
    for (std::size_t i = 0; i < a.size(); ++i) e = std::max(e, std::abs(a[i] - b[i]));
    return e;
}

std::vector<std::complex<double>> random_values(std::size_t count, std::mt19937_64& rng) {
    std::uniform_real_distribution<double> d(-1, 1);
    std::vector<std::complex<double>> v(count);
    for (auto& x : v) x = {d(rng), d(rng)};
    return v;
}

void test_scheme(std::size_t n, const std::vector<int>& bits, double scale, SecLevel sec) {
    const std::string tag = " (N=" + std::to_string(n) + ")";
    auto ctx = make_context(n, bits, sec);
    CkksEncoder enc(ctx);
    KeyGenerator kg(ctx);
    const PublicKey pk = kg.create_public_key();
    const RelinKeys rk = kg.create_relin_keys();
    const GaloisKeys gk = kg.create_galois_keys();  // conjugation and +-2^i
    const GaloisKeys gk3 = kg.create_galois_keys_for_steps({3});
    Encryptor encryptor(ctx, pk), sym(ctx, kg.secret_key());
    Decryptor dec(ctx, kg.secret_key());
    Evaluator ev(ctx);
    const std::size_t slots = enc.slot_count();
    // Fresh noise is a few units and grows with each operation; 2^24 units is far above that and far
    // below the O(1) error of a wrong result.
    const double tol = std::pow(2.0, 24) / scale;
    std::mt19937_64 rng(n);
    const auto x = random_values(slots, rng), y = random_values(slots, rng);

    Plaintext px, py;
    enc.encode(x.data(), slots, ctx->first_parms_id(), scale, px);
    enc.encode(y.data(), slots, ctx->first_parms_id(), scale, py);
    std::vector<std::complex<double>> out;
    enc.decode(px, out);
    check(max_error(out, x) < tol, "encode/decode round trip" + tag);
    {
        // The AVX-512 FFT, rounding and reduction give the portable encoder's words, for small and wide
        // scales (2^56: coefficients above 2^52 take the split reduction), and for constant vectors of
        // +-1.25 at scale 2 (coefficient 0 is then the tie +-2.5).
        bool same = true;
        const std::vector<std::complex<double>> plus(slots, {1.25, 0}), minus(slots, {-1.25, 0});
        for (double s : {scale, 2.0, 0.5 * double(n), std::ldexp(1.0, 50), std::ldexp(1.0, 56)}) {
            for (const auto* v : {&x, &y, &plus, &minus}) {
                Plaintext vec, port;
                enc.encode(v->data(), slots, ctx->first_parms_id(), s, vec);
                const bool was = util::set_ifma_enabled(false);
                enc.encode(v->data(), slots, ctx->first_parms_id(), s, port);
                util::set_ifma_enabled(was);
                same = same && vec.data == port.data;
            }
        }
        check(same, "encode: AVX-512 and portable paths give the same words" + tag);
    }

    auto decrypt = [&](const Ciphertext& c) {
        Plaintext p;
        dec.decrypt(c, p);
        std::vector<std::complex<double>> v;
        enc.decode(p, v);
        return v;
    };
    Ciphertext cx, cy;
    encryptor.encrypt(px, cx);
    sym.encrypt_symmetric(py, cy);
    check(max_error(decrypt(cx), x) < tol, "public-key encrypt/decrypt" + tag);
    check(max_error(decrypt(cy), y) < tol && cy.is_seeded(), "symmetric encrypt/decrypt, seed recorded" + tag);

    auto expect = [&](const std::function<std::complex<double>(std::size_t)>& f) {
        std::vector<std::complex<double>> v(slots);
        for (std::size_t i = 0; i < slots; ++i) v[i] = f(i);
        return v;
    };
    Ciphertext t = cx;
    ev.add_inplace(t, cy);
    check(max_error(decrypt(t), expect([&](std::size_t i) { return x[i] + y[i]; })) < tol, "add" + tag);
    t = cx;
    ev.sub_inplace(t, cy);
    check(max_error(decrypt(t), expect([&](std::size_t i) { return x[i] - y[i]; })) < tol, "sub" + tag);
    t = cx;
    ev.negate_inplace(t);
    ev.add_plain_inplace(t, py);
    check(max_error(decrypt(t), expect([&](std::size_t i) { return y[i] - x[i]; })) < tol, "negate + add_plain" + tag);

    t = cx;
    ev.multiply_plain_inplace(t, py);
    ev.rescale_to_next_inplace(t);
    check(max_error(decrypt(t), expect([&](std::size_t i) { return x[i] * y[i]; })) < tol,
          "multiply_plain + rescale" + tag);

    t = cx;
    ev.multiply_inplace(t, cy);
    check(t.size == 3, "multiply gives size 3" + tag);
    ev.relinearize_inplace(t, rk);
    ev.rescale_to_next_inplace(t);
    const auto prod = expect([&](std::size_t i) { return x[i] * y[i]; });
    check(max_error(decrypt(t), prod) < tol, "multiply + relinearize + rescale" + tag);

    Ciphertext sq = cx;
    ev.square_inplace(sq);
    ev.relinearize_inplace(sq, rk);
    ev.rescale_to_next_inplace(sq);
    check(max_error(decrypt(sq), expect([&](std::size_t i) { return x[i] * x[i]; })) < tol, "square" + tag);

    Ciphertext low = cy;
    ev.mod_switch_to_inplace(low, t.parms_id);
    Plaintext pscaled;
    enc.encode(1.0, t.parms_id, t.scale, pscaled);
    ev.add_plain_inplace(t, pscaled);
    check(max_error(decrypt(t), expect([&](std::size_t i) { return prod[i] + 1.0; })) < tol,
          "scalar encode at a rescaled level" + tag);
    check(max_error(decrypt(low), y) < tol, "mod_switch_to" + tag);
    check(throws([&] { Ciphertext a = cx; ev.add_inplace(a, low); }, "different levels"), "level mismatch error" + tag);

    for (int step : {1, -1, 3, 5, -7}) {
        t = cx;
        const GaloisKeys& keys = step == 3 ? gk3 : gk;
        ev.rotate_vector_inplace(t, step, keys);
        auto e = expect([&](std::size_t i) { return x[(i + slots + step) % slots]; });
        check(max_error(decrypt(t), e) < tol, "rotate by " + std::to_string(step) + tag);
    }
    t = cx;
    ev.complex_conjugate_inplace(t, gk);
    check(max_error(decrypt(t), expect([&](std::size_t i) { return std::conj(x[i]); })) < tol, "conjugate" + tag);

    const std::vector<int> steps{0, 1, 2, 4, -8, 6};
    auto many = ev.rotate_many(cx, steps, gk);
    bool ok = true;
    for (std::size_t s = 0; s < steps.size(); ++s) {
        auto e = expect([&](std::size_t i) { return x[(i + slots + steps[s]) % slots]; });
        ok = ok && max_error(decrypt(many[s]), e) < tol;
    }
    check(ok, "hoisted rotate_many" + tag);

    // The IFMA and scalar kernels give the same bits for a deterministic key switch.
    Ciphertext a = cx, b = cx;
    util::set_ifma_enabled(true);
    ev.rotate_vector_inplace(a, 1, gk);
    util::set_ifma_enabled(false);
    ev.rotate_vector_inplace(b, 1, gk);
    util::set_ifma_enabled(true);
    check(a.data == b.data, "IFMA and scalar key switching agree bit for bit" + tag);

    check(throws([&] { Ciphertext c = cx; ev.rotate_vector_inplace(c, 3, gk3 /* no power-of-two keys */);
                       ev.rotate_vector_inplace(c, 5, gk3); }, "no Galois key"),
          "missing Galois key error" + tag);
}

void test_base64() {
    std::mt19937_64 rng(7);
    bool round_trips = true;
    for (std::size_t n = 0; n < 200; ++n) {
        std::vector<std::uint8_t> in(n), back;
        for (auto& b : in) b = std::uint8_t(rng());
        std::vector<std::uint8_t> text(serial::base64_encoded_size(n));
        serial::encode_base64(in.data(), n, text.data());
        serial::decode_base64(text.data(), text.size(), back);
        round_trips &= back == in;
        while (!text.empty() && text.back() == '=') text.pop_back(); // unpadded, with a line break
        text.insert(text.begin() + std::ptrdiff_t(text.size() / 2), '\n');
        serial::decode_base64(text.data(), text.size(), back);
        round_trips &= back == in;
    }
    check(round_trips, "base64 round trips, padded and unpadded, with whitespace");
    std::vector<std::uint8_t> out;
    auto bad = [&](const char* s) {
        return throws([&] { serial::decode_base64(reinterpret_cast<const std::uint8_t*>(s), std::strlen(s), out); },
                      "base64");
    };
    check(bad("QUJD=A") && bad("A") && bad("QUJDR") && bad("AAAA=") && bad("QQ===") && bad("QU\"J"),
          "base64 rejects misplaced padding, lone sextets and foreign characters");
}

}  // namespace

int main() {
    try {
        test_ntt();
        test_kernels();
        test_product_bounds();
        test_base64();
        test_primes_and_context();
        // A small insecure ring keeps the test fast; the 8192 set is a real one.
        test_scheme(2048, {40, 30, 30, 40}, std::pow(2.0, 30), SecLevel::none);
        test_scheme(8192, {60, 40, 40, 60}, std::pow(2.0, 40), SecLevel::tc128);
    } catch (const std::exception& e) {
        std::printf("FAIL unexpected exception: %s\n", e.what());
        return 1;
    }
    std::printf("%s: %d failure(s)\n", failures ? "FAILED" : "PASSED", failures);
    return failures ? 1 : 0;
}
