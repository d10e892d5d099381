// Run-time choice of the AVX-512 kernels. Primes below 2^50 use 52-bit IFMA multiply-add lanes; the
// NTT also has a 64-bit-lane AVX-512 path for wider primes; everything else is portable scalar code.
#pragma once

#include <cstdint>

namespace veil::he::util {

// True when the CPU has AVX-512F/VL/DQ + IFMA and VEIL_HE_NO_AVX512 is not set in the environment.
bool use_ifma();

// Primes below this bound keep lazy values ([0, 4q)) inside 52-bit lanes.
inline constexpr uint64_t kIfmaPrimeBound = uint64_t(1) << 50;

// Forces the scalar path on or off (tests compare both); returns the previous setting.
bool set_ifma_enabled(bool enabled);

}  // namespace veil::he::util
