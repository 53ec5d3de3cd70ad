// An array the kernel reads while it loads: the caller's memory, or a copy of its own.
//
// A chip-scale Program holds about a gigabyte of synapses; copying them into the kernel
// before the delivery layout is built from them would hold every synapse twice at the
// peak of the load. So the bindings lend the kernel the Program's numpy arrays as they
// are (and keep them alive as long as the System lives, bindings.cpp), and copy only what
// has another dtype or layout, or what the kernel keeps after the load (own()).
#pragma once
#include <cstddef>
#include <vector>

namespace emu {

template <typename T>
class Borrowed {
  public:
    Borrowed() = default;
    explicit Borrowed(std::vector<T> owned) : owned_(std::move(owned)) {
        data_ = owned_.data();
        size_ = owned_.size();
    }
    // n values at p, which stay valid until the System is gone.
    static Borrowed view(const T* p, size_t n) {
        Borrowed b;
        b.data_ = p;
        b.size_ = n;
        return b;
    }
    // (moving keeps data() valid: a vector's buffer moves with it; copying would not)
    Borrowed(Borrowed&&) noexcept = default;
    Borrowed& operator=(Borrowed&&) noexcept = default;
    Borrowed(const Borrowed&) = delete;
    Borrowed& operator=(const Borrowed&) = delete;

    const T* data() const { return data_; }
    size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    const T& operator[](size_t k) const { return data_[k]; }
    const T* begin() const { return data_; }
    const T* end() const { return data_ + size_; }
    // Copies borrowed values into memory of its own (to keep, or to write); returns them.
    std::vector<T>& own() {
        if (owned_.data() != data_ || owned_.size() != size_) {
            owned_.assign(data_, data_ + size_);
            data_ = owned_.data();
        }
        return owned_;
    }
    void clear() {
        std::vector<T>().swap(owned_);
        data_ = nullptr;
        size_ = 0;
    }
    // Bytes of the kernel's own (borrowed ones are the caller's).
    size_t owned_bytes() const { return owned_.size() * sizeof(T); }

  private:
    std::vector<T> owned_;
    const T* data_ = nullptr;
    size_t size_ = 0;
};

}  // namespace emu
