// Large tables that a step reads at random (its spikes land all over them) on 2 MB pages,
// where the system gives transparent huge pages on request (Linux, madvise): on 4 kB
// pages each spike's entries in each table cost a page-table walk besides the cache
// miss, and a chip-scale system's tables need far more page-table entries than the
// caches hold.
#pragma once
#include <cstddef>
#include <cstdlib>
#include <new>
#include <vector>
#ifdef __linux__
#include <sys/mman.h>
#endif

namespace emu {

template <class T>
struct HugePageAllocator {
    using value_type = T;
    // Below this a table takes ordinary pages (a huge page would mostly hold nothing).
    static constexpr size_t kHugePage = size_t{2} << 20;

    HugePageAllocator() = default;
    template <class U>
    HugePageAllocator(const HugePageAllocator<U>&) {}

    T* allocate(size_t n) {
        const size_t bytes = n * sizeof(T);
#ifdef __linux__
        if (bytes >= kHugePage) {
            const size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
            void* p = std::aligned_alloc(kHugePage, rounded);
            if (!p) throw std::bad_alloc();
            madvise(p, rounded, MADV_HUGEPAGE);  // a request: refused, the pages stay small
            return static_cast<T*>(p);
        }
#endif
        return static_cast<T*>(::operator new(bytes));
    }
    void deallocate(T* p, size_t n) {
#ifdef __linux__
        if (n * sizeof(T) >= kHugePage) {
            std::free(p);
            return;
        }
#endif
        ::operator delete(p);
    }
    template <class U>
    bool operator==(const HugePageAllocator<U>&) const { return true; }
    template <class U>
    bool operator!=(const HugePageAllocator<U>&) const { return false; }
};

template <class T>
using HugeVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace emu
