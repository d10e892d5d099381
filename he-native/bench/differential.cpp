// Differential check of two engine versions (bench/differential.sh): `gen DIR` writes keys, ciphertexts and a
// plaintext for four parameter sets; `eval DIR` loads them, runs every evaluator operation and prints one
// FNV hash of each result's words, so two builds can be compared for byte-identical output.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>
#include "he/context.h"
#include "he/encoder.h"
#include "he/encryptor.h"
#include "he/evaluator.h"
#include "he/keygenerator.h"
#include "serial/serialization.h"
#include "util/numth.h"
using namespace veil::he;
static std::vector<uint8_t> rd(const std::string& f) { std::ifstream i(f, std::ios::binary); return {std::istreambuf_iterator<char>(i), {}}; }
static void wr(const std::string& f, const std::vector<uint8_t>& b) { std::ofstream o(f, std::ios::binary); o.write((const char*)b.data(), b.size()); }
static uint64_t h(const Ciphertext& c) { uint64_t x = 1469598103934665603ull; for (auto v : c.data) x = (x ^ v) * 1099511628211ull; return x ^ c.size ^ c.coeff_modulus_size; }
int main(int argc, char** argv) {
  std::string mode = argv[1], dir = argv[2];
  std::vector<std::pair<size_t, std::vector<int>>> sets = {{8192,{43,43,44,44,44}},{8192,{60,40,40,60}},{4096,{48,49,49,49}},{4096,{30,50,50}}};
  int si = 0;
  for (auto& [n, bits] : sets) {
    std::string p = dir + "/s" + std::to_string(si++) + "_";
    EncryptionParameters parms; parms.poly_modulus_degree = n; parms.coeff_modulus = util::create_coeff_modulus(n, bits);
    auto ctx = std::make_shared<const Context>(parms, SecLevel::none);
    if (mode == "gen") {
      KeyGenerator kg(ctx); CkksEncoder enc(ctx); Encryptor e(ctx, kg.create_public_key());
      std::vector<double> v(enc.slot_count()); for (size_t i = 0; i < v.size(); ++i) v[i] = std::sin(i);
      Plaintext pt; enc.encode(v.data(), v.size(), ctx->first_parms_id(), std::pow(2.0, 20), pt);
      Ciphertext a, b; e.encrypt(pt, a); e.encrypt(pt, b);
      wr(p + "a", serial::save(a)); wr(p + "b", serial::save(b)); wr(p + "pt", serial::save(pt));
      wr(p + "rk", serial::save(kg.create_relin_keys()));
      wr(p + "gk", serial::save(kg.create_galois_keys_for_steps({1, 2, 4, -8, 5, -1})));
      continue;
    }
    auto A = rd(p + "a"), B = rd(p + "b"), P = rd(p + "pt"), R = rd(p + "rk"), G = rd(p + "gk");
    Ciphertext a = serial::load_ciphertext(*ctx, A.data(), A.size()), b = serial::load_ciphertext(*ctx, B.data(), B.size());
    Plaintext pt = serial::load_plaintext(*ctx, P.data(), P.size());
    RelinKeys rk = serial::load_relin_keys(*ctx, R.data(), R.size());
    GaloisKeys gk = serial::load_galois_keys(*ctx, G.data(), G.size());
    Evaluator ev(ctx);
    Ciphertext t = a; ev.multiply_plain_inplace(t, pt); std::printf("%s mulplain %016llx\n", p.c_str(), (unsigned long long)h(t));
    t = a; ev.multiply_inplace(t, b); std::printf("%s mul %016llx\n", p.c_str(), (unsigned long long)h(t));
    ev.relinearize_inplace(t, rk); std::printf("%s relin %016llx\n", p.c_str(), (unsigned long long)h(t));
    ev.rescale_to_next_inplace(t); std::printf("%s rescale %016llx\n", p.c_str(), (unsigned long long)h(t));
    t = a; ev.square_inplace(t); std::printf("%s square %016llx\n", p.c_str(), (unsigned long long)h(t));
    Ciphertext t3 = t; ev.multiply_inplace(t3, a); std::printf("%s mul3x2 %016llx\n", p.c_str(), (unsigned long long)h(t3));

    for (int s : {1, 2, 3, -8, 5}) { t = a; ev.rotate_vector_inplace(t, s, gk); std::printf("%s rot%d %016llx\n", p.c_str(), s, (unsigned long long)h(t)); }
    auto many = ev.rotate_many(a, {1, 3, 5, 0}, gk); for (auto& m : many) std::printf("%s many %016llx\n", p.c_str(), (unsigned long long)h(m));
    t = a; ev.add_inplace(t, b); ev.sub_inplace(t, a); ev.negate_inplace(t); std::printf("%s addsub %016llx\n", p.c_str(), (unsigned long long)h(t));
    t = a; ev.mod_switch_to_next_inplace(t); std::printf("%s modsw %016llx\n", p.c_str(), (unsigned long long)h(t));
  }
}
