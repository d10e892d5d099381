// Storage for coefficient arrays (ciphertexts, plaintexts, per-thread scratch): 64-byte aligned, so that
// every 512-bit load and store of the vector kernels touches one cache line instead of two (glibc's large
// blocks start 16 bytes past a page boundary), and grown without zero-filling, so that a buffer that is
// written next (the third polynomial of a product, a loaded ciphertext) is not written twice.
// Explicit values (resize(n, 0), assign(n, 0)) still initialize.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>
#include <vector>

namespace veil::he::util {

template <class T>
struct CoeffAllocator {
    using value_type = T;
    static constexpr std::align_val_t kAlignment{64};

    CoeffAllocator() noexcept = default;
    template <class U>
    CoeffAllocator(const CoeffAllocator<U>&) noexcept {}

    T* allocate(std::size_t count) {
        if (count > std::size_t(-1) / sizeof(T)) throw std::bad_array_new_length();
        return static_cast<T*>(::operator new(count * sizeof(T), kAlignment));
    }
    void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, kAlignment); }

    template <class U>
    void construct(U* p) noexcept {
        ::new (static_cast<void*>(p)) U;  // default-initialized: no zero fill
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }

    template <class U>
    bool operator==(const CoeffAllocator<U>&) const noexcept {
        return true;
    }
    template <class U>
    bool operator!=(const CoeffAllocator<U>&) const noexcept {
        return false;
    }
};

using CoeffVector = std::vector<uint64_t, CoeffAllocator<uint64_t>>;

}  // namespace veil::he::util
