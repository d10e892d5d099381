// Micro-benchmark of the engine's hot operations on the five parameter sets of issue 21's table.
// Every operation is timed in thread-CPU time (the figure that reflects the code rather than the
// scheduler on a shared machine) over alternating rounds: each round runs every operation a few
// times in turn, and the median of the per-round means is reported, with the wall-time median, the
// page faults per operation, and the ratio to the SEAL 4.1.2 + Intel HEXL 1.2.5 reference figure that
// issue 21 measured on this machine kind (goal: ratio <= 0.8).
// Output: one JSON line per (set, operation), then a plain-text table.
// Usage: veilhe_bench [reps-scale [rounds]]   (VEIL_HE_NO_AVX512=1 for the portable path)
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "he/context.h"
#include "he/encoder.h"
#include "he/encryptor.h"
#include "he/evaluator.h"
#include "he/keygenerator.h"
#include "util/avx512.h"
#include "util/coeff_vector.h"
#include "util/numth.h"
#include "util/simd.h"

using namespace veil::he;

namespace {

double thread_cpu_us() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e6 + double(ts.tv_nsec) / 1e3;
}

// The memory floor under multiply_plain: the same words read and written in the same order as its kernel
// (both polynomials of a limb beside the plaintext's limb, the same prefetch), a 64-bit add in place of the
// modular product. Its time is what moving the operands costs here: multiply_plain cannot go below it.
VEIL_IFMA void stream_floor(Ciphertext& ct, const Plaintext& pt, std::size_t n, std::size_t limbs) {
    for (std::size_t j = 0; j < limbs; ++j) {
        uint64_t *a0 = ct.rns(0, j), *a1 = ct.rns(1, j);
        const uint64_t* b = pt.rns(j, n);
        for (std::size_t i = 0; i < n; i += 8) {
            util::avx512::prefetch_ahead(a0 + i), util::avx512::prefetch_ahead(a1 + i);
            util::avx512::prefetch_ahead(b + i);
            const __m512i y = _mm512_loadu_si512(b + i);
            _mm512_storeu_si512(a0 + i, _mm512_add_epi64(_mm512_loadu_si512(a0 + i), y));
            _mm512_storeu_si512(a1 + i, _mm512_add_epi64(_mm512_loadu_si512(a1 + i), y));
        }
    }
}

// The same floor under ct x ct (two ciphertexts in, a third polynomial appended): c0 and c1 in place, c2
// written around the cache when the engine does so (same rule as Evaluator::multiply_inplace).
VEIL_IFMA void stream_floor_tensor(Ciphertext& a, const Ciphertext& b, std::size_t n, std::size_t limbs) {
    a.data.resize(3 * n * limbs);
    a.size = 3;
    const bool stream = 5 * n * limbs * sizeof(uint64_t) > (std::size_t(1) << 21);
    for (std::size_t j = 0; j < limbs; ++j) {
        uint64_t *a0 = a.rns(0, j), *a1 = a.rns(1, j), *c2 = a.rns(2, j);
        const uint64_t *b0 = b.rns(0, j), *b1 = b.rns(1, j);
        for (std::size_t i = 0; i < n; i += 8) {
            const __m512i x0 = _mm512_loadu_si512(a0 + i), x1 = _mm512_loadu_si512(a1 + i);
            const __m512i y0 = _mm512_loadu_si512(b0 + i), y1 = _mm512_loadu_si512(b1 + i);
            _mm512_storeu_si512(a0 + i, _mm512_add_epi64(x0, y0));
            _mm512_storeu_si512(a1 + i, _mm512_add_epi64(x1, y1));
            const __m512i z = _mm512_add_epi64(x1, y0);
            if (stream)
                _mm512_stream_si512(reinterpret_cast<__m512i*>(c2 + i), z);
            else
                _mm512_storeu_si512(c2 + i, z);
        }
    }
    if (stream) _mm_sfence();
}

long thread_faults() {
    rusage ru;
    getrusage(RUSAGE_THREAD, &ru);
    return ru.ru_minflt + ru.ru_majflt;
}

struct ParamSet {
    std::string column;  // the column heading in issue 21's table
    std::size_t n;
    std::vector<int> bits;
    int scale_bits;
};

// The SEAL + HEXL reference of issue 21 (thread-CPU µs, median of 13 alternating rounds), by column and
// operation; NTT rows are keyed by the prime's bit width ("ntt_forward_40bit") and a "*" width applies to
// every prime of the set.
const std::map<std::string, std::map<std::string, double>> kSealHexl = {
    {"N8192:43,43,44,44,44",
     {{"ntt_forward_*", 17}, {"ntt_inverse_*", 19}, {"encode", 316}, {"multiply_plain", 20}, {"multiply", 52},
      {"relinearize", 1693}, {"rescale", 252}, {"rotate_1", 1817}}},
    {"N16384:48,48,48,49,49,49,49,49,49",
     {{"ntt_forward_*", 36}, {"ntt_inverse_*", 33}, {"encode", 999}, {"multiply_plain", 127}, {"multiply", 340},
      {"relinearize", 11449}, {"rescale", 1292}, {"rotate_1", 11467}}},
    {"N8192:60,40,40,60",
     {{"ntt_forward_40bit", 23}, {"ntt_forward_60bit", 32}, {"ntt_inverse_40bit", 19}, {"ntt_inverse_60bit", 33},
      {"encode", 310}, {"multiply_plain", 29}, {"multiply", 69}, {"relinearize", 1190}, {"rescale", 211},
      {"rotate_1", 1353}}},
    {"N16384:60,40,40,40,40,40,40,40,60",
     {{"ntt_forward_40bit", 31}, {"ntt_forward_60bit", 59}, {"ntt_inverse_40bit", 33}, {"ntt_inverse_60bit", 62},
      {"encode", 1018}, {"multiply_plain", 100}, {"multiply", 274}, {"relinearize", 11738}, {"rescale", 1390},
      {"rotate_1", 12792}}},
    {"N16384:40,30,30,30,30,30,30,40",
     {{"ntt_forward_30bit", 36}, {"ntt_inverse_30bit", 39}, {"encode", 988}, {"multiply_plain", 64},
      {"multiply", 182}, {"relinearize", 8881}, {"rescale", 953}, {"rotate_1", 8698}}},
};

double reference(const std::string& set, const std::string& op) {
    auto s = kSealHexl.find(set);
    if (s == kSealHexl.end()) return 0;
    auto it = s->second.find(op);
    if (it == s->second.end() && op.rfind("ntt_", 0) == 0)
        it = s->second.find(op.substr(0, op.rfind('_')) + "_*");
    return it == s->second.end() ? 0 : it->second;
}

struct Op {
    std::string name;
    int per_round;  // timed runs of this operation in each round
    std::function<void()> setup;  // untimed, before each run
    std::function<void()> run;
    std::vector<double> cpu, wall;  // per-round means
    long faults = 0, count = 0;
};

struct Row {
    std::string set, op;
    double cpu, wall, faults, ref;
};

std::vector<Row> g_rows;

void run_set(const ParamSet& ps, double reps_scale, int rounds) {
    std::string set = "N" + std::to_string(ps.n) + ":";
    for (std::size_t i = 0; i < ps.bits.size(); ++i) set += (i ? "," : "") + std::to_string(ps.bits[i]);
    const double scale = std::pow(2.0, ps.scale_bits);
    EncryptionParameters parms;
    parms.poly_modulus_degree = ps.n;
    parms.coeff_modulus = util::create_coeff_modulus(ps.n, ps.bits);
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
    Plaintext pt, pt_out;
    enc.encode(values.data(), values.size(), ctx->first_parms_id(), scale, pt);
    Ciphertext ct, tmp;
    encryptor.encrypt(pt, ct);
    const Ciphertext ct2 = ct;
    Ciphertext ct3 = ct;
    ev.multiply_inplace(ct3, ct2);

    auto times = [&](int base) { return std::max(1, int(std::lround(base * reps_scale))); };
    const ContextData& top = ctx->first_data();
    // The engine's polynomials live in 64-byte aligned storage (util::CoeffVector); the NTT rows time the
    // transform on such a buffer, not on whatever alignment malloc happens to give a std::vector.
    util::CoeffVector poly(ct.rns(0, 0), ct.rns(0, 0) + ps.n);
    std::vector<Op> ops;
    auto add = [&ops](std::string name, int per_round, std::function<void()> setup, std::function<void()> run) {
        Op op;
        op.name = std::move(name);
        op.per_round = per_round;
        op.setup = std::move(setup);
        op.run = std::move(run);
        ops.push_back(std::move(op));
    };
    auto none = [] {};
    auto reset = [&] { tmp = ct; };
    for (std::size_t j : {std::size_t(0), std::size_t(1)}) {
        const auto& ntt = top.ntt(j);
        const std::string suffix = "_" + std::to_string(top.moduli()[j].bit_count()) + "bit";
        const std::string q = "_q" + std::to_string(j);
        add("ntt_forward" + q + suffix, times(20), none, [&ntt, &poly] { ntt.forward(poly.data()); });
        add("ntt_inverse" + q + suffix, times(20), none, [&ntt, &poly] { ntt.inverse(poly.data()); });
    }
    add("encode", times(4), none, [&] {
                       enc.encode(values.data(), values.size(), ctx->first_parms_id(), scale, pt_out);
                   });
    add("multiply_plain", times(8), reset, [&] { ev.multiply_plain_inplace(tmp, pt); });
    if (util::use_ifma())
        add("multiply_plain_floor", times(8), reset, [&] { stream_floor(tmp, pt, ps.n, std::size_t(tmp.coeff_modulus_size)); });
    add("add", times(8), reset, [&] { ev.add_inplace(tmp, ct2); });
    add("multiply", times(8), reset, [&] { ev.multiply_inplace(tmp, ct2); });
    if (util::use_ifma())
        add("multiply_floor", times(8), reset, [&] { stream_floor_tensor(tmp, ct2, ps.n, std::size_t(ct2.coeff_modulus_size)); });
    add("relinearize", times(2), [&] { tmp = ct3; }, [&] { ev.relinearize_inplace(tmp, rk); });
    add("multiply_relinearize", times(1), reset, [&] {
                       ev.multiply_inplace(tmp, ct2);
                       ev.relinearize_inplace(tmp, rk);
                   });
    add("rescale", times(4), reset, [&] { ev.rescale_to_next_inplace(tmp); });
    add("rotate_1", times(2), reset, [&] { ev.rotate_vector_inplace(tmp, 1, gk); });
    std::vector<Ciphertext> many;
    add("rotate_hoisted_16", 1, none, [&] { many = ev.rotate_many(ct, steps, gk); });

    // One untimed warm-up run of everything (tables, permutation caches, first-touch of buffers).
    for (auto& op : ops) {
        op.setup();
        op.run();
    }
    for (int r = 0; r < rounds; ++r) {
        for (auto& op : ops) {
            double cpu = 0, wall = 0;
            for (int i = 0; i < op.per_round; ++i) {
                op.setup();
                const long f0 = thread_faults();
                const double c0 = thread_cpu_us();
                const auto w0 = std::chrono::steady_clock::now();
                op.run();
                wall += std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - w0).count();
                cpu += thread_cpu_us() - c0;
                op.faults += thread_faults() - f0;
                ++op.count;
            }
            op.cpu.push_back(cpu / op.per_round);
            op.wall.push_back(wall / op.per_round);
        }
    }
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    for (auto& op : ops) {
        // "ntt_forward_q1_40bit" is keyed as "ntt_forward_40bit" in the reference table.
        std::string key = op.name;
        if (key.rfind("ntt_", 0) == 0) key = key.substr(0, key.find("_q")) + key.substr(key.rfind('_'));
        Row row{set, op.name, median(op.cpu), median(op.wall), double(op.faults) / double(op.count), reference(set, key)};
        g_rows.push_back(row);
        std::printf("{\"set\":\"%s\",\"op\":\"%s\",\"median_us\":%.1f,\"median_cpu_us\":%.1f,\"faults_per_op\":%.1f,"
                    "\"seal_hexl_us\":%.0f,\"ratio\":%s,\"ifma\":%s}\n",
                    set.c_str(), op.name.c_str(), row.wall, row.cpu, row.faults, row.ref,
                    row.ref > 0 ? std::to_string(row.cpu / row.ref).substr(0, 4).c_str() : "null",
                    util::use_ifma() ? "true" : "false");
        std::fflush(stdout);
    }
}

}  // namespace

int main(int argc, char** argv) {
    const double reps_scale = argc > 1 ? std::atof(argv[1]) : 1.0;
    const int rounds = argc > 2 ? std::max(1, std::atoi(argv[2])) : 13;
    const std::vector<ParamSet> sets = {
        {"N=8192, 5 primes 43-44 bit", 8192, {43, 43, 44, 44, 44}, 40},
        {"N=16384, 9 primes 48-49 bit", 16384, {48, 48, 48, 49, 49, 49, 49, 49, 49}, 40},
        {"N=8192 [60,40,40,60]", 8192, {60, 40, 40, 60}, 40},
        {"N=16384 [60,40x7,60]", 16384, {60, 40, 40, 40, 40, 40, 40, 40, 60}, 40},
        {"N=16384 [40,30x6,40]", 16384, {40, 30, 30, 30, 30, 30, 30, 40}, 30},
    };
    const char* only = std::getenv("VEIL_HE_BENCH_SET");  // a substring of the set key, to run one column
    try {
        for (const auto& ps : sets) {
            std::string key = "N" + std::to_string(ps.n) + ":";
            for (std::size_t i = 0; i < ps.bits.size(); ++i) key += (i ? "," : "") + std::to_string(ps.bits[i]);
            if (only && key.find(only) == std::string::npos) continue;
            run_set(ps, reps_scale, rounds);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench failed: %s\n", e.what());
        return 1;
    }
    std::printf("\nhe-native, thread-CPU µs (median of %d alternating rounds), AVX-512 IFMA %s; "
                "ratio = he-native / SEAL+HEXL (issue 21), goal <= 0.80\n",
                rounds, util::use_ifma() ? "on" : "off");
    std::printf("%-36s %-24s %10s %10s %8s %9s\n", "set", "op", "cpu_us", "seal_hexl", "ratio", "faults/op");
    for (const Row& r : g_rows) {
        char ratio[16] = "-";
        if (r.ref > 0) std::snprintf(ratio, sizeof ratio, "%.2f%s", r.cpu / r.ref, r.cpu / r.ref > 0.8 ? " *" : "");
        std::printf("%-36s %-24s %10.1f %10.0f %8s %9.1f\n", r.set.c_str(), r.op.c_str(), r.cpu, r.ref, ratio, r.faults);
    }
    std::printf("(* above the 0.8 goal)\n");
    return 0;
}
