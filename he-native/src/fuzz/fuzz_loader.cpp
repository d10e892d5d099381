// libFuzzer target for one loader, chosen at compile time with -DVEIL_FUZZ_LOADER=<name> (parms, plaintext,
// ciphertext, ciphertext_base64 (the JSON request form: base64 text decoded, then loaded), public_key,
// secret_key, relin_keys, galois_keys). Any input must either load or throw
// veil::he::Error; anything else (another exception, a sanitizer report, an allocation past the fuzzer's
// malloc limit) is a finding. The context comes from the SEAL-saved parameters named by $VEIL_FUZZ_PARMS.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <vector>

#include "he/context.h"
#include "serial/base64.h"
#include "serial/serialization.h"

using namespace veil::he;

namespace {

std::unique_ptr<Context> g_context;

// Tighter than the library default so a bomb that reaches the bound stays inside the fuzzer's RSS limit.
serial::Limits fuzz_limits() {
    serial::Limits limits;
    limits.max_object_bytes = 64u << 20;
    return limits;
}

void run(const std::uint8_t *data, std::size_t size) {
    static const serial::Limits limits = fuzz_limits();
    const Context &ctx = *g_context;
    const std::string loader = VEIL_FUZZ_LOADER_NAME;
    if (loader == "parms") {
        EncryptionParameters parms = serial::load_parms(data, size, limits);
        Context built(parms, SecLevel::none);
        (void)serial::save(parms);
    } else if (loader == "plaintext") {
        (void)serial::save(serial::load_plaintext(ctx, data, size, limits));
    } else if (loader == "ciphertext") {
        Ciphertext ct = serial::load_ciphertext(ctx, data, size, limits);
        (void)(ct.is_seeded() ? serial::save_seeded(ctx, ct) : serial::save(ct));
    } else if (loader == "ciphertext_base64") {
        std::vector<std::uint8_t> raw;
        serial::decode_base64(data, size, raw);
        (void)serial::save(serial::load_ciphertext(ctx, raw.data(), raw.size(), limits));
    } else if (loader == "public_key") {
        (void)serial::save(serial::load_public_key(ctx, data, size, limits));
    } else if (loader == "secret_key") {
        (void)serial::save(serial::load_secret_key(ctx, data, size, limits));
    } else if (loader == "relin_keys") {
        (void)serial::save(serial::load_relin_keys(ctx, data, size, limits));
    } else if (loader == "galois_keys") {
        (void)serial::save(serial::load_galois_keys(ctx, data, size, limits));
    } else {
        std::fprintf(stderr, "unknown loader %s\n", VEIL_FUZZ_LOADER_NAME);
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
    const char *path = std::getenv("VEIL_FUZZ_PARMS");
    if (path == nullptr) {
        std::fprintf(stderr, "set VEIL_FUZZ_PARMS to a SEAL-saved EncryptionParameters file\n");
        std::exit(2);
    }
    std::ifstream f(path, std::ios::binary);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(f)), {});
    g_context = std::make_unique<Context>(serial::load_parms(bytes.data(), bytes.size()), SecLevel::none);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    try {
        run(data, size);
    } catch (const Error &) {
        // rejected with a message: the expected outcome for malformed input
    }
    return 0;
}
