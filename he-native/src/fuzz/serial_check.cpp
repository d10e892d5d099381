// Serialization self-check against real SEAL bytes (from make_corpus.js): every object node-seal saved, in
// every compression mode, loads; re-saving uncompressed gives node-seal's own uncompressed bytes; seeded
// objects re-save seeded byte-equal and expanded equal to node-seal's expansion; parms_ids equal SEAL's at
// every level; truncations and byte flips of real objects fail with an Error, never anything else.
// Usage: serial_check <corpus-dir>/<set>   (exit status 0 when every check passes)
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "he/context.h"
#include "serial/serialization.h"

using namespace veil::he;
using Bytes = std::vector<std::uint8_t>;

namespace {

int failures = 0;
int checks = 0;

void check(bool ok, const std::string &what) {
    ++checks;
    if (!ok) {
        ++failures;
        std::printf("FAIL %s\n", what.c_str());
    }
}

Bytes read_file(const std::string &path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot read " + path);
    return Bytes(std::istreambuf_iterator<char>(f), {});
}

std::string hex(const ParmsId &id) {
    char buf[80];
    std::snprintf(buf, sizeof buf, "%016llx %016llx %016llx %016llx", (unsigned long long)id[0],
                  (unsigned long long)id[1], (unsigned long long)id[2], (unsigned long long)id[3]);
    return buf;
}

// Loading every prefix (strided for big objects) and every single-bit flip sample must end in Error or
// success, never in another exception type.
template <class Load>
void check_malformed(const std::string &name, const Bytes &good, Load load) {
    std::size_t stride = good.size() < 4096 ? 1 : good.size() / 997;
    int bad = 0;
    for (std::size_t len = 0; len < good.size(); len += stride) {
        try {
            load(good.data(), len);
            ++bad; // a strict prefix must never load
        } catch (const Error &) {
        } catch (...) {
            ++bad;
        }
    }
    for (std::size_t at = 0; at < good.size(); at += std::max<std::size_t>(1, good.size() / 211)) {
        Bytes flipped = good;
        flipped[at] ^= 0x5a;
        try {
            load(flipped.data(), flipped.size());
        } catch (const Error &) {
        } catch (...) {
            ++bad;
        }
    }
    check(bad == 0, name + ": truncations/flips raise Error (" + std::to_string(bad) + " bad)");
}

} // namespace

int main(int argc, char **argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: serial_check <corpus-set-dir>\n");
        return 2;
    }
    const std::string dir = argv[1];
    auto file = [&](const std::string &n) { return read_file(dir + "/" + n); };
    try {
        Bytes parms_bytes = file("parms.none.bin");
        EncryptionParameters parms = serial::load_parms(parms_bytes.data(), parms_bytes.size());
        check(serial::save(parms) == parms_bytes, "parms re-save equals SEAL's bytes");
        Context ctx(parms, SecLevel::none); // serialization is under test here, not the security table
        std::ifstream ids(dir + "/parms_ids.txt");
        std::string line;
        const ContextData *cd = &ctx.key_data();
        int levels = 0;
        while (std::getline(ids, line)) {
            check(cd != nullptr && hex(cd->parms_id()) == line, "parms_id level " + std::to_string(levels));
            cd = cd ? cd->next() : nullptr;
            ++levels;
        }
        check(cd == nullptr && levels > 1, "chain length matches SEAL's (" + std::to_string(levels) + ")");

        const char *modes[] = {"none", "zlib", "zstd"};
        const serial::ComprMode mode_values[] = {serial::ComprMode::none, serial::ComprMode::zlib,
                                                 serial::ComprMode::zstd};
        struct Kind {
            const char *name;
            bool seeded;
            std::function<Bytes(const Bytes &)> full;   // load then save uncompressed
            std::function<Bytes(const Bytes &)> seeded_; // load then save seeded uncompressed
            std::function<Bytes(const Bytes &, serial::ComprMode)> resave;
        };
        auto ct_load = [&](const Bytes &b) { return serial::load_ciphertext(ctx, b.data(), b.size()); };
        auto pk_load = [&](const Bytes &b) { return serial::load_public_key(ctx, b.data(), b.size()); };
        auto rk_load = [&](const Bytes &b) { return serial::load_relin_keys(ctx, b.data(), b.size()); };
        auto gk_load = [&](const Bytes &b) { return serial::load_galois_keys(ctx, b.data(), b.size()); };
        auto sk_load = [&](const Bytes &b) { return serial::load_secret_key(ctx, b.data(), b.size()); };
        auto pt_load = [&](const Bytes &b) { return serial::load_plaintext(ctx, b.data(), b.size()); };
        std::vector<Kind> kinds = {
            {"ct", false, [&](const Bytes &b) { return serial::save(ct_load(b)); }, nullptr,
             [&](const Bytes &b, serial::ComprMode m) { return serial::save(ct_load(b), m); }},
            {"pt", false, [&](const Bytes &b) { return serial::save(pt_load(b)); }, nullptr,
             [&](const Bytes &b, serial::ComprMode m) { return serial::save(pt_load(b), m); }},
            {"sk", false, [&](const Bytes &b) { return serial::save(sk_load(b)); }, nullptr,
             [&](const Bytes &b, serial::ComprMode m) { return serial::save(sk_load(b), m); }},
            {"pk", false, [&](const Bytes &b) { return serial::save(pk_load(b)); }, nullptr,
             [&](const Bytes &b, serial::ComprMode m) { return serial::save(pk_load(b), m); }},
            {"rk", false, [&](const Bytes &b) { return serial::save(rk_load(b)); }, nullptr,
             [&](const Bytes &b, serial::ComprMode m) { return serial::save(rk_load(b), m); }},
            {"gk", false, [&](const Bytes &b) { return serial::save(gk_load(b)); }, nullptr,
             [&](const Bytes &b, serial::ComprMode m) { return serial::save(gk_load(b), m); }},
            {"cts", true, [&](const Bytes &b) { return serial::save(ct_load(b)); },
             [&](const Bytes &b) { return serial::save_seeded(ctx, ct_load(b)); },
             [&](const Bytes &b, serial::ComprMode m) { return serial::save_seeded(ctx, ct_load(b), m); }},
            {"cts_shake", true, [&](const Bytes &b) { return serial::save(ct_load(b)); },
             [&](const Bytes &b) { return serial::save_seeded(ctx, ct_load(b)); },
             [&](const Bytes &b, serial::ComprMode m) { return serial::save_seeded(ctx, ct_load(b), m); }},
            {"pk_s", true, [&](const Bytes &b) { return serial::save(pk_load(b)); },
             [&](const Bytes &b) { return serial::save_seeded(ctx, pk_load(b)); },
             [&](const Bytes &b, serial::ComprMode m) { return serial::save_seeded(ctx, pk_load(b), m); }},
            {"rk_s", true, [&](const Bytes &b) { return serial::save(rk_load(b)); },
             [&](const Bytes &b) { return serial::save_seeded(ctx, rk_load(b)); },
             [&](const Bytes &b, serial::ComprMode m) { return serial::save_seeded(ctx, rk_load(b), m); }},
            {"gk_s", true, [&](const Bytes &b) { return serial::save(gk_load(b)); },
             [&](const Bytes &b) { return serial::save_seeded(ctx, gk_load(b)); },
             [&](const Bytes &b, serial::ComprMode m) { return serial::save_seeded(ctx, gk_load(b), m); }},
        };
        for (const Kind &k : kinds) {
            // Sets generated without key-switching keys (N=32768) have no rk/gk files.
            if (!std::ifstream(dir + "/" + k.name + ".none.bin")) continue;
            const Bytes reference_none = file(std::string(k.name) + ".none.bin");
            const Bytes reference_full = k.seeded ? file(std::string(k.name) + ".expanded.bin") : reference_none;
            for (int m = 0; m < 3; ++m) {
                std::string tag = std::string(k.name) + "." + modes[m];
                if (!std::ifstream(dir + "/" + tag + ".bin")) continue; // cts_shake exists uncompressed only
                try {
                    Bytes in = file(tag + ".bin");
                    check(k.full(in) == reference_full, tag + ": load + save(none) equals SEAL's full bytes");
                    if (k.seeded) check(k.seeded_(in) == reference_none, tag + ": seeded re-save equals SEAL's");
                    for (int o = 1; o < 3; ++o) {
                        Bytes packed = k.resave(in, mode_values[o]);
                        check(k.full(packed) == reference_full, tag + ": our " + modes[o] + " save round-trips");
                    }
                } catch (const std::exception &e) {
                    check(false, tag + ": " + e.what());
                }
            }
        }
        // Decompression bombs: a frame whose 64 MiB of zeros compress to little must stop at the bound
        // (here the largest ciphertext this context allows), naming the limit.
        for (serial::ComprMode m : {serial::ComprMode::zlib, serial::ComprMode::zstd}) {
            Bytes zeros(64u << 20, 0);
            Bytes packed = serial::compress(m, zeros.data(), zeros.size());
            serial::ByteWriter w;
            w.u16(serial::kSealMagic);
            w.u8(serial::kSealHeaderSize);
            w.u8(4);
            w.u8(1);
            w.u8(std::uint8_t(m));
            w.u16(0);
            w.u64(16 + packed.size());
            w.bytes(packed.data(), packed.size());
            std::string message;
            try {
                serial::load_ciphertext(ctx, w.bytes().data(), w.size());
            } catch (const Error &e) {
                message = e.what();
            }
            check(message.find("exceeds the limit") != std::string::npos,
                  "bomb stops at the bound: " + message);
        }
        {
            Bytes old = file("ct.none.bin");
            old[3] = 3; // SEAL 3.x framing
            std::string message;
            try {
                serial::load_ciphertext(ctx, old.data(), old.size());
            } catch (const Error &e) {
                message = e.what();
            }
            check(message.find("version 3.") != std::string::npos, "3.x framing rejected: " + message);
        }
        Bytes ct = file("ct.none.bin"), cts = file("cts.zstd.bin"), pk = file("pk_s.zlib.bin");
        check_malformed("parms", parms_bytes, [&](const std::uint8_t *d, std::size_t n) {
            Context c(serial::load_parms(d, n), SecLevel::none);
        });
        check_malformed("ciphertext", ct, [&](const std::uint8_t *d, std::size_t n) { serial::load_ciphertext(ctx, d, n); });
        check_malformed("seeded zstd ciphertext", cts,
                        [&](const std::uint8_t *d, std::size_t n) { serial::load_ciphertext(ctx, d, n); });
        check_malformed("seeded zlib public key", pk,
                        [&](const std::uint8_t *d, std::size_t n) { serial::load_public_key(ctx, d, n); });
    } catch (const std::exception &e) {
        check(false, std::string("unexpected: ") + e.what());
    }
    std::printf("%s: %d checks, %d failures\n", dir.c_str(), checks, failures);
    return failures == 0 ? 0 : 1;
}
