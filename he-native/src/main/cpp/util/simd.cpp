#include "util/simd.h"

#include <atomic>
#include <cstdlib>

namespace veil::he::util {
namespace {

bool cpu_has_ifma() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512ifma");
}

std::atomic<bool>& ifma_flag() {
    static std::atomic<bool> flag{cpu_has_ifma() && std::getenv("VEIL_HE_NO_AVX512") == nullptr};
    return flag;
}

}  // namespace

bool use_ifma() { return ifma_flag().load(std::memory_order_relaxed); }

bool set_ifma_enabled(bool enabled) {
    return ifma_flag().exchange(enabled && cpu_has_ifma());
}

}  // namespace veil::he::util
