#include "util/scratch.h"

#include <array>

#include "util/coeff_vector.h"

namespace veil::he::util {

uint64_t* scratch(Scratch slot, std::size_t words) {
    thread_local std::array<CoeffVector, std::size_t(Scratch::count)> buffers;
    CoeffVector& b = buffers[std::size_t(slot)];
    if (b.size() < words) b.resize(words);
    return b.data();
}

}  // namespace veil::he::util
