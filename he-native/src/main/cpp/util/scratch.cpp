#include "util/scratch.h"

#include <array>
#include <vector>

namespace veil::he::util {

uint64_t* scratch(Scratch slot, std::size_t words) {
    thread_local std::array<std::vector<uint64_t>, std::size_t(Scratch::count)> buffers;
    std::vector<uint64_t>& b = buffers[std::size_t(slot)];
    if (b.size() < words) b.resize(words);
    return b.data();
}

}  // namespace veil::he::util
