#include "thread_team.hpp"

#include <string>
#include <system_error>

#include "errors.hpp"

#ifndef _WIN32
#include <signal.h>
#endif

namespace emu {

namespace {
// Spins before a worker sleeps: about 100 microseconds, longer than most steps' serial
// part, so that a running System's workers never sleep between its phases.
constexpr int kSpins = 4000;

inline void pause() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    std::this_thread::yield();
#endif
}
}  // namespace

ThreadTeam::ThreadTeam(int32_t n) : errors_(n) {
    try {
        for (int32_t p = 1; p < n; ++p) workers_.emplace_back([this, p] { work(p); });
    } catch (const std::system_error& e) {  // the OS would not start another thread
        const size_t started = workers_.size() + 1;
        stop();
        throw ResourceError("threads: the system could start only " + std::to_string(started) +
                            " of " + std::to_string(n) + " threads (" + e.what() +
                            "); ask for fewer (Simulator(threads=...))");
    }
}

ThreadTeam::~ThreadTeam() { stop(); }

void ThreadTeam::stop() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        quit_.store(true);
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
}

void ThreadTeam::work(int32_t p) {
#ifndef _WIN32
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
#endif
    uint64_t seen = 0;
    for (;;) {
        uint64_t g = generation_.load(std::memory_order_acquire);
        for (int i = 0; g == seen && !quit_.load(std::memory_order_relaxed); ++i) {
            if (i < kSpins) {
                pause();
            } else {
                std::unique_lock<std::mutex> lock(mutex_);
                wake_.wait(lock, [&] { return generation_.load() != seen || quit_.load(); });
            }
            g = generation_.load(std::memory_order_acquire);
        }
        if (quit_.load()) return;
        seen = g;
        try {
            (*job_)(p);
        } catch (...) {
            errors_[p] = std::current_exception();
        }
        pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
}

void ThreadTeam::run(const std::function<void(int32_t)>& job) {
    job_ = &job;
    for (auto& e : errors_) e = nullptr;
    pending_.store(static_cast<int32_t>(workers_.size()), std::memory_order_relaxed);
    {
        // under the lock: a worker between its last check and its wait cannot miss it
        std::lock_guard<std::mutex> lock(mutex_);
        generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    try {
        job(0);
    } catch (...) {
        errors_[0] = std::current_exception();
    }
    while (pending_.load(std::memory_order_acquire) != 0) pause();
    for (auto& e : errors_)
        if (e) std::rethrow_exception(e);
}

}  // namespace emu
