// Per-thread scratch buffers for the temporaries of the hot operations (key switching, rescale, encode). Each
// slot grows to the largest size its thread has needed and is then reused, so an operation in steady
// state neither allocates nor faults in fresh pages (issue 21 measured 42% of relinearize in page
// faults and zeroing of freshly allocated vectors). Contents are unspecified on entry.
#pragma once

#include <cstddef>
#include <cstdint>

namespace veil::he::util {

// One slot per temporary that can be live at the same time; a function uses only its own slots.
enum class Scratch : int {
    decompose_coeff, decomposition, switch0, switch1, permuted, divide_tail, encode_rounded, count
};

// A buffer of at least `words` words owned by the calling thread, valid until the next call for the
// same slot on this thread.
uint64_t* scratch(Scratch slot, std::size_t words);

}  // namespace veil::he::util
