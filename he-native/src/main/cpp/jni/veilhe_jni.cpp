// JNI glue for dev.veil.he.Native. Every entry point runs its body inside `guarded`, which turns any C++
// exception into a dev.veil.he.HeException carrying the message: nothing thrown in the engine may cross
// into the JVM. Handles are plain pointers owned by the Java objects (freed by Native.release).
#include <jni.h>

#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "he/context.h"
#include "he/decryptor.h"
#include "he/encoder.h"
#include "he/encryptor.h"
#include "he/error.h"
#include "he/evaluator.h"
#include "he/keygenerator.h"
#include "he/objects.h"
#include "serial/base64.h"
#include "serial/serialization.h"
#include "util/numth.h"

using namespace veil::he;

namespace {

// Kinds of handles; the values are NativeObject's constants.
enum Kind : jint {
    kContext = 1,
    kCiphertext = 2,
    kPlaintext = 3,
    kPublicKey = 4,
    kSecretKey = 5,
    kRelinKeys = 6,
    kGaloisKeys = 7,
    kEncoder = 8,
    kEvaluator = 9,
    kKeyGenerator = 10,
    kEncryptor = 11,
    kDecryptor = 12,
};

// A context with the load bound its Java owner configured. Other native objects hold the shared_ptr,
// so the context outlives them whatever order the Cleaner runs in.
struct ContextBox {
    std::shared_ptr<const Context> context;
    serial::Limits limits;
};

// Thrown when a JNI call has already left a Java exception pending: nothing more to report.
struct JavaPending {};

void throw_he(JNIEnv* env, const char* message) {
    if (env->ExceptionCheck()) return;
    jclass cls = env->FindClass("dev/veil/he/HeException");
    if (cls != nullptr) env->ThrowNew(cls, message);
}

template <class R, class Body>
R guarded(JNIEnv* env, R fallback, Body&& body) {
    try {
        return body();
    } catch (const JavaPending&) {
    } catch (const std::bad_alloc&) {
        throw_he(env, "he-native: out of native memory");
    } catch (const std::exception& e) {
        throw_he(env, e.what());
    } catch (...) {
        throw_he(env, "he-native: unknown native error");
    }
    return fallback;
}

template <class T>
T& deref(jlong handle, const char* what) {
    if (handle == 0) throw Error(std::string(what) + " is missing (null handle)");
    return *reinterpret_cast<T*>(static_cast<intptr_t>(handle));
}

template <class T>
jlong to_handle(T&& value) {
    return static_cast<jlong>(reinterpret_cast<intptr_t>(new std::decay_t<T>(std::forward<T>(value))));
}

ContextBox& context_of(jlong handle) { return deref<ContextBox>(handle, "context"); }

std::vector<uint8_t> bytes_of(JNIEnv* env, jbyteArray array) {
    if (array == nullptr) throw Error("serialized bytes are missing (null)");
    jsize len = env->GetArrayLength(array);
    std::vector<uint8_t> out(static_cast<std::size_t>(len));
    env->GetByteArrayRegion(array, 0, len, reinterpret_cast<jbyte*>(out.data()));
    if (env->ExceptionCheck()) throw JavaPending{};
    return out;
}

// Direct access to a range of a Java byte array, without copying it. The JVM may hold off garbage collection
// while it is held, so it is used only for work bounded by one ciphertext; it is released when the scope ends,
// also when an exception leaves it (before `guarded` raises the Java exception).
class CriticalBytes {
public:
    CriticalBytes(JNIEnv* env, jbyteArray array) : env_(env), array_(array) {
        data_ = static_cast<uint8_t*>(env->GetPrimitiveArrayCritical(array, nullptr));
        if (data_ == nullptr) throw JavaPending{};
    }
    ~CriticalBytes() { env_->ReleasePrimitiveArrayCritical(array_, data_, 0); }
    CriticalBytes(const CriticalBytes&) = delete;
    CriticalBytes& operator=(const CriticalBytes&) = delete;
    uint8_t* data() const { return data_; }

private:
    JNIEnv* env_;
    jbyteArray array_;
    uint8_t* data_;
};

// Checks [offset, offset + length) against the array before any access.
void check_range(JNIEnv* env, jbyteArray array, jint offset, jint length) {
    if (array == nullptr) throw Error("serialized bytes are missing (null)");
    jsize size = env->GetArrayLength(array);
    if (offset < 0 || length < 0 || offset > size || length > size - offset)
        throw Error("byte range " + std::to_string(offset) + "+" + std::to_string(length) +
                    " lies outside an array of " + std::to_string(size) + " bytes");
}

jbyteArray to_java(JNIEnv* env, const std::vector<uint8_t>& bytes) {
    if (bytes.size() > 0x7fffffffu) throw Error("serialized object exceeds 2 GiB, the largest Java byte array");
    jbyteArray out = env->NewByteArray(static_cast<jsize>(bytes.size()));
    if (out == nullptr) throw JavaPending{};
    env->SetByteArrayRegion(out, 0, static_cast<jsize>(bytes.size()), reinterpret_cast<const jbyte*>(bytes.data()));
    return out;
}

jlongArray to_java(JNIEnv* env, const std::vector<uint64_t>& words) {
    jlongArray out = env->NewLongArray(static_cast<jsize>(words.size()));
    if (out == nullptr) throw JavaPending{};
    env->SetLongArrayRegion(out, 0, static_cast<jsize>(words.size()), reinterpret_cast<const jlong*>(words.data()));
    return out;
}

jlongArray to_java(JNIEnv* env, const ParmsId& id) { return to_java(env, std::vector<uint64_t>(id.begin(), id.end())); }

std::vector<uint64_t> longs_of(JNIEnv* env, jlongArray array, const char* what) {
    if (array == nullptr) throw Error(std::string(what) + " is missing (null)");
    std::vector<uint64_t> out(static_cast<std::size_t>(env->GetArrayLength(array)));
    env->GetLongArrayRegion(array, 0, static_cast<jsize>(out.size()), reinterpret_cast<jlong*>(out.data()));
    if (env->ExceptionCheck()) throw JavaPending{};
    return out;
}

std::vector<int> ints_of(JNIEnv* env, jintArray array, const char* what) {
    if (array == nullptr) throw Error(std::string(what) + " is missing (null)");
    std::vector<int> out(static_cast<std::size_t>(env->GetArrayLength(array)));
    env->GetIntArrayRegion(array, 0, static_cast<jsize>(out.size()), reinterpret_cast<jint*>(out.data()));
    if (env->ExceptionCheck()) throw JavaPending{};
    return out;
}

ParmsId parms_id_of(JNIEnv* env, jlongArray array) {
    std::vector<uint64_t> words = longs_of(env, array, "parms_id");
    require(words.size() == 4, "a parms_id has exactly four words");
    return ParmsId{words[0], words[1], words[2], words[3]};
}

serial::ComprMode compr_of(jint code) {
    switch (code) {
        case 0: return serial::ComprMode::none;
        case 1: return serial::ComprMode::zlib;
        case 2: return serial::ComprMode::zstd;
        default: throw Error("unknown compression mode " + std::to_string(code));
    }
}

EncryptionParameters ckks_parameters(jint degree, std::vector<uint64_t> primes) {
    EncryptionParameters parms;
    parms.scheme = Scheme::ckks;
    require(degree > 0, "poly modulus degree must be positive");
    parms.poly_modulus_degree = static_cast<uint64_t>(degree);
    parms.coeff_modulus = std::move(primes);
    parms.plain_modulus = 0;
    parms.parms_id = serial::compute_parms_id(parms);
    return parms;
}

}  // namespace

#define JNI_FN(ret, name) extern "C" JNIEXPORT ret JNICALL Java_dev_veil_he_Native_##name

JNI_FN(void, release)(JNIEnv* env, jclass, jint kind, jlong handle) {
    guarded(env, 0, [&] {
        void* p = reinterpret_cast<void*>(static_cast<intptr_t>(handle));
        if (p == nullptr) return 0;
        switch (kind) {
            case kContext: delete static_cast<ContextBox*>(p); break;
            case kCiphertext: delete static_cast<Ciphertext*>(p); break;
            case kPlaintext: delete static_cast<Plaintext*>(p); break;
            case kPublicKey: delete static_cast<PublicKey*>(p); break;
            case kSecretKey: delete static_cast<SecretKey*>(p); break;
            case kRelinKeys: delete static_cast<RelinKeys*>(p); break;
            case kGaloisKeys: delete static_cast<GaloisKeys*>(p); break;
            case kEncoder: delete static_cast<CkksEncoder*>(p); break;
            case kEvaluator: delete static_cast<Evaluator*>(p); break;
            case kKeyGenerator: delete static_cast<KeyGenerator*>(p); break;
            case kEncryptor: delete static_cast<Encryptor*>(p); break;
            case kDecryptor: delete static_cast<Decryptor*>(p); break;
            default: throw Error("release of unknown object kind " + std::to_string(kind));
        }
        return 0;
    });
}

// ---- parameters and contexts ----

JNI_FN(jlongArray, parametersLoad)(JNIEnv* env, jclass, jbyteArray bytes, jlong max_bytes) {
    return guarded<jlongArray>(env, nullptr, [&] {
        std::vector<uint8_t> in = bytes_of(env, bytes);
        serial::Limits limits;
        limits.max_object_bytes = static_cast<uint64_t>(max_bytes);
        EncryptionParameters parms = serial::load_parms(in.data(), in.size(), limits);
        require(parms.scheme == Scheme::ckks, "the serialized parameters are not for the CKKS scheme");
        std::vector<uint64_t> out{parms.poly_modulus_degree};
        out.insert(out.end(), parms.coeff_modulus.begin(), parms.coeff_modulus.end());
        return to_java(env, out);
    });
}

JNI_FN(jbyteArray, parametersSave)(JNIEnv* env, jclass, jint degree, jlongArray primes, jint compression) {
    return guarded<jbyteArray>(env, nullptr, [&] {
        EncryptionParameters parms = ckks_parameters(degree, longs_of(env, primes, "coeff modulus"));
        return to_java(env, serial::save(parms, compr_of(compression)));
    });
}

JNI_FN(jlongArray, parametersParmsId)(JNIEnv* env, jclass, jint degree, jlongArray primes) {
    return guarded<jlongArray>(env, nullptr, [&] {
        return to_java(env, ckks_parameters(degree, longs_of(env, primes, "coeff modulus")).parms_id);
    });
}

JNI_FN(jlongArray, createPrimes)(JNIEnv* env, jclass, jint degree, jintArray bit_sizes) {
    return guarded<jlongArray>(env, nullptr, [&] {
        require(degree > 0, "poly modulus degree must be positive");
        return to_java(env, util::create_coeff_modulus(static_cast<std::size_t>(degree),
                                                       ints_of(env, bit_sizes, "bit sizes")));
    });
}

JNI_FN(jlong, contextCreate)(JNIEnv* env, jclass, jint degree, jlongArray primes, jlong max_load_bytes) {
    return guarded<jlong>(env, 0, [&] {
        auto box = std::make_unique<ContextBox>();
        box->context = std::make_shared<const Context>(ckks_parameters(degree, longs_of(env, primes, "coeff modulus")));
        box->limits.max_object_bytes = static_cast<uint64_t>(max_load_bytes);
        return static_cast<jlong>(reinterpret_cast<intptr_t>(box.release()));
    });
}

JNI_FN(jlongArray, contextChain)(JNIEnv* env, jclass, jlong context) {
    return guarded<jlongArray>(env, nullptr, [&] {
        const Context& ctx = *context_of(context).context;
        std::vector<uint64_t> words;
        for (const ContextData* cd = &ctx.key_data(); cd != nullptr; cd = cd->next()) {
            words.insert(words.end(), cd->parms_id().begin(), cd->parms_id().end());
        }
        return to_java(env, words);
    });
}

// ---- serialized objects ----

JNI_FN(jlong, load)(JNIEnv* env, jclass, jint kind, jlong context, jbyteArray bytes) {
    return guarded<jlong>(env, 0, [&]() -> jlong {
        const ContextBox& box = context_of(context);
        std::vector<uint8_t> in = bytes_of(env, bytes);
        const Context& ctx = *box.context;
        switch (kind) {
            case kCiphertext: return to_handle(serial::load_ciphertext(ctx, in.data(), in.size(), box.limits));
            case kPlaintext: return to_handle(serial::load_plaintext(ctx, in.data(), in.size(), box.limits));
            case kPublicKey: return to_handle(serial::load_public_key(ctx, in.data(), in.size(), box.limits));
            case kSecretKey: return to_handle(serial::load_secret_key(ctx, in.data(), in.size(), box.limits));
            case kRelinKeys: return to_handle(serial::load_relin_keys(ctx, in.data(), in.size(), box.limits));
            case kGaloisKeys: return to_handle(serial::load_galois_keys(ctx, in.data(), in.size(), box.limits));
            default: throw Error("load of unknown object kind " + std::to_string(kind));
        }
    });
}

// A ciphertext read from a range of a Java array (a request body) without copying the range first; with
// base64, the range is its base64 text, decoded once into native memory.
JNI_FN(jlong, loadCiphertext)(JNIEnv* env, jclass, jlong context, jbyteArray bytes, jint offset, jint length,
                              jboolean base64) {
    return guarded<jlong>(env, 0, [&]() -> jlong {
        const ContextBox& box = context_of(context);
        check_range(env, bytes, offset, length);
        if (base64) {
            std::vector<uint8_t> decoded;
            {
                CriticalBytes text(env, bytes);
                serial::decode_base64(text.data() + offset, static_cast<std::size_t>(length), decoded);
            }
            return to_handle(serial::load_ciphertext(*box.context, decoded.data(), decoded.size(), box.limits));
        }
        CriticalBytes in(env, bytes);
        return to_handle(serial::load_ciphertext(*box.context, in.data() + offset, static_cast<std::size_t>(length),
                                                 box.limits));
    });
}

// A saved ciphertext (as base64 text when asked) placed after `before` bytes and followed by `after` bytes
// that the caller fills in: the response body is written once, with no copy of the saved bytes in Java.
JNI_FN(jbyteArray, saveCiphertext)(JNIEnv* env, jclass, jlong handle, jint compression, jboolean base64,
                                   jint before, jint after) {
    return guarded<jbyteArray>(env, nullptr, [&]() -> jbyteArray {
        require(before >= 0 && after >= 0, "margins around a saved ciphertext cannot be negative");
        std::vector<uint8_t> saved = serial::save(deref<Ciphertext>(handle, "ciphertext"), compr_of(compression));
        const std::size_t payload = base64 ? serial::base64_encoded_size(saved.size()) : saved.size();
        const std::size_t total = std::size_t(before) + payload + std::size_t(after);
        if (total > 0x7fffffffu) throw Error("serialized object exceeds 2 GiB, the largest Java byte array");
        jbyteArray out = env->NewByteArray(static_cast<jsize>(total));
        if (out == nullptr) throw JavaPending{};
        if (base64) {
            CriticalBytes dest(env, out);
            serial::encode_base64(saved.data(), saved.size(), dest.data() + before);
        } else {
            env->SetByteArrayRegion(out, before, static_cast<jsize>(payload), reinterpret_cast<const jbyte*>(saved.data()));
        }
        return out;
    });
}

JNI_FN(jbyteArray, save)(JNIEnv* env, jclass, jint kind, jlong handle, jint compression) {
    return guarded<jbyteArray>(env, nullptr, [&] {
        serial::ComprMode mode = compr_of(compression);
        switch (kind) {
            case kCiphertext: return to_java(env, serial::save(deref<Ciphertext>(handle, "ciphertext"), mode));
            case kPlaintext: return to_java(env, serial::save(deref<Plaintext>(handle, "plaintext"), mode));
            case kPublicKey: return to_java(env, serial::save(deref<PublicKey>(handle, "public key"), mode));
            case kSecretKey: return to_java(env, serial::save(deref<SecretKey>(handle, "secret key"), mode));
            case kRelinKeys: return to_java(env, serial::save(deref<RelinKeys>(handle, "relin keys"), mode));
            case kGaloisKeys: return to_java(env, serial::save(deref<GaloisKeys>(handle, "galois keys"), mode));
            default: throw Error("save of unknown object kind " + std::to_string(kind));
        }
    });
}

JNI_FN(jlongArray, parmsId)(JNIEnv* env, jclass, jint kind, jlong handle) {
    return guarded<jlongArray>(env, nullptr, [&] {
        switch (kind) {
            case kCiphertext: return to_java(env, deref<Ciphertext>(handle, "ciphertext").parms_id);
            case kPlaintext: return to_java(env, deref<Plaintext>(handle, "plaintext").parms_id);
            case kPublicKey: return to_java(env, deref<PublicKey>(handle, "public key").parms_id());
            case kSecretKey: return to_java(env, deref<SecretKey>(handle, "secret key").parms_id());
            case kRelinKeys: return to_java(env, deref<RelinKeys>(handle, "relin keys").parms_id);
            case kGaloisKeys: return to_java(env, deref<GaloisKeys>(handle, "galois keys").parms_id);
            default: throw Error("parms_id of unknown object kind " + std::to_string(kind));
        }
    });
}

JNI_FN(jdouble, scale)(JNIEnv* env, jclass, jint kind, jlong handle) {
    return guarded<jdouble>(env, 0.0, [&] {
        switch (kind) {
            case kCiphertext: return deref<Ciphertext>(handle, "ciphertext").scale;
            case kPlaintext: return deref<Plaintext>(handle, "plaintext").scale;
            default: throw Error("scale of an object kind without one: " + std::to_string(kind));
        }
    });
}

JNI_FN(jint, ciphertextSize)(JNIEnv* env, jclass, jlong handle) {
    return guarded<jint>(env, 0, [&] { return static_cast<jint>(deref<Ciphertext>(handle, "ciphertext").size); });
}

JNI_FN(jlongArray, galoisElements)(JNIEnv* env, jclass, jlong handle) {
    return guarded<jlongArray>(env, nullptr, [&] {
        const GaloisKeys& keys = deref<GaloisKeys>(handle, "galois keys");
        std::vector<uint64_t> elts;
        for (std::size_t i = 0; i < keys.keys.size(); ++i) {
            if (!keys.keys[i].empty()) elts.push_back(2 * i + 1);
        }
        return to_java(env, elts);
    });
}

// ---- encoding ----

JNI_FN(jlong, encoderCreate)(JNIEnv* env, jclass, jlong context) {
    return guarded<jlong>(env, 0, [&] { return to_handle(CkksEncoder(context_of(context).context)); });
}

JNI_FN(jlong, encode)(JNIEnv* env, jclass, jlong encoder, jdoubleArray values, jdouble scale, jlongArray parms_id) {
    return guarded<jlong>(env, 0, [&] {
        const CkksEncoder& enc = deref<CkksEncoder>(encoder, "encoder");
        require(values != nullptr, "values are missing (null)");
        std::vector<double> v(static_cast<std::size_t>(env->GetArrayLength(values)));
        env->GetDoubleArrayRegion(values, 0, static_cast<jsize>(v.size()), v.data());
        if (env->ExceptionCheck()) throw JavaPending{};
        Plaintext out;
        enc.encode(v.data(), v.size(), parms_id_of(env, parms_id), scale, out);
        return to_handle(std::move(out));
    });
}

JNI_FN(jlong, encodeScalar)(JNIEnv* env, jclass, jlong encoder, jdouble value, jdouble scale, jlongArray parms_id) {
    return guarded<jlong>(env, 0, [&] {
        Plaintext out;
        deref<CkksEncoder>(encoder, "encoder").encode(value, parms_id_of(env, parms_id), scale, out);
        return to_handle(std::move(out));
    });
}

JNI_FN(jdoubleArray, decode)(JNIEnv* env, jclass, jlong encoder, jlong plaintext) {
    return guarded<jdoubleArray>(env, nullptr, [&] {
        std::vector<double> v;
        deref<CkksEncoder>(encoder, "encoder").decode(deref<Plaintext>(plaintext, "plaintext"), v);
        jdoubleArray out = env->NewDoubleArray(static_cast<jsize>(v.size()));
        if (out == nullptr) throw JavaPending{};
        env->SetDoubleArrayRegion(out, 0, static_cast<jsize>(v.size()), v.data());
        return out;
    });
}

// ---- evaluation: copy the first operand, then operate in place on the copy ----

namespace {

const Evaluator& evaluator_of(jlong handle) { return deref<Evaluator>(handle, "evaluator"); }
const Ciphertext& ct_of(jlong handle) { return deref<Ciphertext>(handle, "ciphertext"); }
const Plaintext& pt_of(jlong handle) { return deref<Plaintext>(handle, "plaintext"); }

template <class Op>
jlong evaluated(JNIEnv* env, jlong a, Op&& op) {
    return guarded<jlong>(env, 0, [&] {
        Ciphertext out = ct_of(a);
        op(out);
        return to_handle(std::move(out));
    });
}

}  // namespace

JNI_FN(jlong, evaluatorCreate)(JNIEnv* env, jclass, jlong context) {
    return guarded<jlong>(env, 0, [&] {
        return static_cast<jlong>(reinterpret_cast<intptr_t>(new Evaluator(context_of(context).context)));
    });
}

JNI_FN(jlong, negate)(JNIEnv* env, jclass, jlong ev, jlong a) {
    return evaluated(env, a, [&](Ciphertext& c) { evaluator_of(ev).negate_inplace(c); });
}

JNI_FN(jlong, add)(JNIEnv* env, jclass, jlong ev, jlong a, jlong b) {
    return evaluated(env, a, [&](Ciphertext& c) { evaluator_of(ev).add_inplace(c, ct_of(b)); });
}

JNI_FN(jlong, sub)(JNIEnv* env, jclass, jlong ev, jlong a, jlong b) {
    return evaluated(env, a, [&](Ciphertext& c) { evaluator_of(ev).sub_inplace(c, ct_of(b)); });
}

JNI_FN(jlong, addPlain)(JNIEnv* env, jclass, jlong ev, jlong a, jlong p) {
    return evaluated(env, a, [&](Ciphertext& c) { evaluator_of(ev).add_plain_inplace(c, pt_of(p)); });
}

JNI_FN(jlong, subPlain)(JNIEnv* env, jclass, jlong ev, jlong a, jlong p) {
    return evaluated(env, a, [&](Ciphertext& c) { evaluator_of(ev).sub_plain_inplace(c, pt_of(p)); });
}

JNI_FN(jlong, multiplyPlain)(JNIEnv* env, jclass, jlong ev, jlong a, jlong p) {
    return evaluated(env, a, [&](Ciphertext& c) { evaluator_of(ev).multiply_plain_inplace(c, pt_of(p)); });
}

JNI_FN(jlong, multiply)(JNIEnv* env, jclass, jlong ev, jlong a, jlong b) {
    return evaluated(env, a, [&](Ciphertext& c) { evaluator_of(ev).multiply_inplace(c, ct_of(b)); });
}

JNI_FN(jlong, square)(JNIEnv* env, jclass, jlong ev, jlong a) {
    return evaluated(env, a, [&](Ciphertext& c) { evaluator_of(ev).square_inplace(c); });
}

JNI_FN(jlong, relinearize)(JNIEnv* env, jclass, jlong ev, jlong a, jlong keys) {
    return evaluated(env, a, [&](Ciphertext& c) {
        evaluator_of(ev).relinearize_inplace(c, deref<RelinKeys>(keys, "relin keys"));
    });
}

JNI_FN(jlong, rescaleToNext)(JNIEnv* env, jclass, jlong ev, jlong a) {
    return evaluated(env, a, [&](Ciphertext& c) { evaluator_of(ev).rescale_to_next_inplace(c); });
}

JNI_FN(jlong, modSwitchTo)(JNIEnv* env, jclass, jlong ev, jlong a, jlongArray parms_id) {
    return evaluated(env, a, [&](Ciphertext& c) { evaluator_of(ev).mod_switch_to_inplace(c, parms_id_of(env, parms_id)); });
}

JNI_FN(jlong, modSwitchPlainTo)(JNIEnv* env, jclass, jlong ev, jlong p, jlongArray parms_id) {
    return guarded<jlong>(env, 0, [&] {
        Plaintext out = pt_of(p);
        evaluator_of(ev).mod_switch_to_inplace(out, parms_id_of(env, parms_id));
        return to_handle(std::move(out));
    });
}

JNI_FN(jlong, rotate)(JNIEnv* env, jclass, jlong ev, jlong a, jint steps, jlong keys) {
    return evaluated(env, a, [&](Ciphertext& c) {
        evaluator_of(ev).rotate_vector_inplace(c, steps, deref<GaloisKeys>(keys, "galois keys"));
    });
}

JNI_FN(jlong, conjugate)(JNIEnv* env, jclass, jlong ev, jlong a, jlong keys) {
    return evaluated(env, a, [&](Ciphertext& c) {
        evaluator_of(ev).complex_conjugate_inplace(c, deref<GaloisKeys>(keys, "galois keys"));
    });
}

JNI_FN(jlongArray, rotateHoisted)(JNIEnv* env, jclass, jlong ev, jlong a, jintArray steps, jlong keys) {
    return guarded<jlongArray>(env, nullptr, [&] {
        std::vector<Ciphertext> rotated = evaluator_of(ev).rotate_many(ct_of(a), ints_of(env, steps, "steps"),
                                                                       deref<GaloisKeys>(keys, "galois keys"));
        // Hand every result to Java, or none: a failure while converting frees them all.
        std::vector<std::unique_ptr<Ciphertext>> owned;
        for (Ciphertext& c : rotated) owned.push_back(std::make_unique<Ciphertext>(std::move(c)));
        std::vector<uint64_t> handles;
        for (auto& c : owned) handles.push_back(static_cast<uint64_t>(reinterpret_cast<intptr_t>(c.get())));
        jlongArray out = to_java(env, handles);
        for (auto& c : owned) c.release();
        return out;
    });
}

// ---- client side ----

JNI_FN(jlong, keyGeneratorCreate)(JNIEnv* env, jclass, jlong context, jlong secret_key) {
    return guarded<jlong>(env, 0, [&] {
        const auto& ctx = context_of(context).context;
        KeyGenerator* gen = secret_key == 0 ? new KeyGenerator(ctx)
                                            : new KeyGenerator(ctx, deref<SecretKey>(secret_key, "secret key"));
        return static_cast<jlong>(reinterpret_cast<intptr_t>(gen));
    });
}

JNI_FN(jlong, secretKey)(JNIEnv* env, jclass, jlong gen) {
    return guarded<jlong>(env, 0, [&] { return to_handle(SecretKey(deref<KeyGenerator>(gen, "key generator").secret_key())); });
}

JNI_FN(jlong, createPublicKey)(JNIEnv* env, jclass, jlong gen) {
    return guarded<jlong>(env, 0, [&] { return to_handle(deref<KeyGenerator>(gen, "key generator").create_public_key()); });
}

JNI_FN(jlong, createRelinKeys)(JNIEnv* env, jclass, jlong gen) {
    return guarded<jlong>(env, 0, [&] { return to_handle(deref<KeyGenerator>(gen, "key generator").create_relin_keys()); });
}

JNI_FN(jlong, createGaloisKeys)(JNIEnv* env, jclass, jlong gen, jintArray steps) {
    return guarded<jlong>(env, 0, [&] {
        const KeyGenerator& kg = deref<KeyGenerator>(gen, "key generator");
        std::vector<int> s = ints_of(env, steps, "steps");
        return to_handle(s.empty() ? kg.create_galois_keys() : kg.create_galois_keys_for_steps(s));
    });
}

JNI_FN(jbyteArray, createSeededKeys)(JNIEnv* env, jclass, jlong context, jlong gen, jint what, jintArray steps,
                                     jint compression) {
    return guarded<jbyteArray>(env, nullptr, [&] {
        const Context& ctx = *context_of(context).context;
        const KeyGenerator& kg = deref<KeyGenerator>(gen, "key generator");
        serial::ComprMode mode = compr_of(compression);
        switch (what) {
            case kPublicKey: return to_java(env, serial::save_seeded(ctx, kg.create_public_key(), mode));
            case kRelinKeys: return to_java(env, serial::save_seeded(ctx, kg.create_relin_keys(), mode));
            case kGaloisKeys: {
                std::vector<int> s = ints_of(env, steps, "steps");
                GaloisKeys keys = s.empty() ? kg.create_galois_keys() : kg.create_galois_keys_for_steps(s);
                return to_java(env, serial::save_seeded(ctx, keys, mode));
            }
            default: throw Error("no seeded form for object kind " + std::to_string(what));
        }
    });
}

JNI_FN(jlong, encryptorCreate)(JNIEnv* env, jclass, jlong context, jlong public_key, jlong secret_key) {
    return guarded<jlong>(env, 0, [&] {
        const auto& ctx = context_of(context).context;
        Encryptor* enc = public_key != 0 ? new Encryptor(ctx, deref<PublicKey>(public_key, "public key"))
                                         : new Encryptor(ctx, deref<SecretKey>(secret_key, "secret key"));
        return static_cast<jlong>(reinterpret_cast<intptr_t>(enc));
    });
}

JNI_FN(jlong, encrypt)(JNIEnv* env, jclass, jlong enc, jlong plain) {
    return guarded<jlong>(env, 0, [&] {
        Ciphertext out;
        deref<Encryptor>(enc, "encryptor").encrypt(pt_of(plain), out);
        return to_handle(std::move(out));
    });
}

JNI_FN(jlong, encryptSymmetric)(JNIEnv* env, jclass, jlong enc, jlong plain) {
    return guarded<jlong>(env, 0, [&] {
        Ciphertext out;
        deref<Encryptor>(enc, "encryptor").encrypt_symmetric(pt_of(plain), out);
        return to_handle(std::move(out));
    });
}

JNI_FN(jbyteArray, encryptSymmetricSeeded)(JNIEnv* env, jclass, jlong context, jlong enc, jlong plain,
                                           jint compression) {
    return guarded<jbyteArray>(env, nullptr, [&] {
        Ciphertext out;
        deref<Encryptor>(enc, "encryptor").encrypt_symmetric(pt_of(plain), out);
        return to_java(env, serial::save_seeded(*context_of(context).context, out, compr_of(compression)));
    });
}

JNI_FN(jlong, decryptorCreate)(JNIEnv* env, jclass, jlong context, jlong secret_key) {
    return guarded<jlong>(env, 0, [&] {
        auto* dec = new Decryptor(context_of(context).context, deref<SecretKey>(secret_key, "secret key"));
        return static_cast<jlong>(reinterpret_cast<intptr_t>(dec));
    });
}

JNI_FN(jlong, decrypt)(JNIEnv* env, jclass, jlong dec, jlong ct) {
    return guarded<jlong>(env, 0, [&] {
        Plaintext out;
        deref<Decryptor>(dec, "decryptor").decrypt(ct_of(ct), out);
        return to_handle(std::move(out));
    });
}
