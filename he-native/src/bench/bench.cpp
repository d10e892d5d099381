// Micro-benchmark of the engine's hot operations, printing one JSON line per (parameter set,
// operation) with the median wall time in microseconds. he-java's benchmark runs it next to
// node-seal and reports ratios. Usage: veilhe_bench [reps-scale]   (VEIL_HE_NO_AVX512=1 for scalar)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <ctime>
#include <string>
#include <vector>

#include "he/context.h"
#include "he/encoder.h"
#include "he/encryptor.h"
#include "he/evaluator.h"
#include "he/keygenerator.h"
#include "util/numth.h"
#include "util/simd.h"

using namespace veil::he;

namespace {

double thread_cpu_us() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e6 + double(ts.tv_nsec) / 1e3;
}

// Median wall time and median thread CPU time: on a shared, oversubscribed machine the CPU time is
// the figure that reflects the code rather than the scheduler.
struct Timing {
    double wall_us, cpu_us;
};

Timing measure(int reps, const std::function<void()>& setup, const std::function<void()>& op) {
    std::vector<double> wall, cpu;
    for (int r = 0; r < reps; ++r) {
        setup();
        const double c0 = thread_cpu_us();
        const auto start = std::chrono::steady_clock::now();
        op();
        wall.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
        cpu.push_back(thread_cpu_us() - c0);
    }
    std::sort(wall.begin(), wall.end());
    std::sort(cpu.begin(), cpu.end());
    return {wall[wall.size() / 2], cpu[cpu.size() / 2]};
}

void report(const std::string& set, const std::string& op, Timing t) {
    std::printf("{\"set\":\"%s\",\"op\":\"%s\",\"median_us\":%.1f,\"median_cpu_us\":%.1f,\"ifma\":%s}\n",
                set.c_str(), op.c_str(), t.wall_us, t.cpu_us, util::use_ifma() ? "true" : "false");
    std::fflush(stdout);
}

void run_set(std::size_t n, const std::vector<int>& bits, double scale, double reps_scale) {
    std::string set = "N" + std::to_string(n) + ":";
    for (std::size_t i = 0; i < bits.size(); ++i) set += (i ? "," : "") + std::to_string(bits[i]);
    EncryptionParameters parms;
    parms.poly_modulus_degree = n;
    parms.coeff_modulus = util::create_coeff_modulus(n, bits);
    auto ctx = std::make_shared<const Context>(parms);
    CkksEncoder enc(ctx);
    KeyGenerator kg(ctx);
    const PublicKey pk = kg.create_public_key();
    const RelinKeys rk = kg.create_relin_keys();
    std::vector<int> steps;
    for (int s = 1; s <= 16; ++s) steps.push_back(s);
    const GaloisKeys gk = kg.create_galois_keys_for_steps(steps);
    Encryptor encryptor(ctx, pk);
    Evaluator ev(ctx);

    std::vector<double> values(enc.slot_count());
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = std::sin(double(i));
    Plaintext pt;
    enc.encode(values.data(), values.size(), ctx->first_parms_id(), scale, pt);
    Ciphertext ct, tmp;
    encryptor.encrypt(pt, ct);
    const Ciphertext ct2 = ct;
    Ciphertext ct3 = ct;
    ev.multiply_inplace(ct3, ct2);

    const int cheap = std::max(5, int(50 * reps_scale)), heavy = std::max(3, int(15 * reps_scale));
    const ContextData& top = ctx->first_data();
    std::vector<uint64_t> poly(ct.rns(0, 0), ct.rns(0, 0) + n);
    for (std::size_t j : {std::size_t(0), std::size_t(1)}) {
        const auto& ntt = top.ntt(j);
        const std::string suffix = "_q" + std::to_string(j) + "_" + std::to_string(top.moduli()[j].bit_count()) + "bit";
        report(set, "ntt_forward" + suffix, measure(cheap * 4, [] {}, [&] { ntt.forward(poly.data()); }));
        report(set, "ntt_inverse" + suffix, measure(cheap * 4, [] {}, [&] { ntt.inverse(poly.data()); }));
    }
    auto reset = [&] { tmp = ct; };
    report(set, "multiply_plain", measure(cheap, reset, [&] { ev.multiply_plain_inplace(tmp, pt); }));
    report(set, "add", measure(cheap, reset, [&] { ev.add_inplace(tmp, ct2); }));
    report(set, "multiply", measure(cheap, reset, [&] { ev.multiply_inplace(tmp, ct2); }));
    report(set, "relinearize", measure(heavy, [&] { tmp = ct3; }, [&] { ev.relinearize_inplace(tmp, rk); }));
    report(set, "multiply_relinearize", measure(heavy, reset, [&] {
               ev.multiply_inplace(tmp, ct2);
               ev.relinearize_inplace(tmp, rk);
           }));
    report(set, "rescale", measure(cheap, reset, [&] { ev.rescale_to_next_inplace(tmp); }));
    report(set, "rotate_1", measure(heavy, reset, [&] { ev.rotate_vector_inplace(tmp, 1, gk); }));
    std::vector<Ciphertext> many;
    report(set, "rotate_hoisted_16", measure(std::max(3, heavy / 3), [] {}, [&] { many = ev.rotate_many(ct, steps, gk); }));
    report(set, "rotate_16_unhoisted", measure(std::max(3, heavy / 3), [] {}, [&] {
               for (int s : steps) {
                   tmp = ct;
                   ev.rotate_vector_inplace(tmp, s, gk);
               }
           }));
}

}  // namespace

int main(int argc, char** argv) {
    const double reps_scale = argc > 1 ? std::atof(argv[1]) : 1.0;
    try {
        run_set(8192, {60, 40, 40, 60}, std::pow(2.0, 40), reps_scale);
        run_set(16384, {40, 30, 30, 30, 30, 30, 30, 40}, std::pow(2.0, 30), reps_scale);
        run_set(16384, {60, 40, 40, 40, 40, 40, 40, 40, 60}, std::pow(2.0, 40), reps_scale);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench failed: %s\n", e.what());
        return 1;
    }
    return 0;
}
