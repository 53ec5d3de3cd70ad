// The threads of one System: the calling thread and n - 1 workers that run one job per
// phase of a step, each on its own partition (fanout.hpp), with a barrier at the end of
// each phase. Workers spin briefly between phases (a step may last microseconds), then
// sleep until the next phase; they block every signal, so that signals reach Python's
// thread. The team belongs to the process that made it: System makes a new one after a
// fork.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace emu {

class ThreadTeam {
  public:
    // Throws ResourceError, having joined the threads it made, if the OS refuses one.
    explicit ThreadTeam(int32_t n);
    ~ThreadTeam();
    ThreadTeam(const ThreadTeam&) = delete;
    ThreadTeam& operator=(const ThreadTeam&) = delete;

    int32_t size() const { return static_cast<int32_t>(workers_.size()) + 1; }
    // Runs job(p) for every p in [0, size()), p = 0 on the calling thread, and returns when
    // all have finished; rethrows the exception of the lowest p that threw, if any.
    void run(const std::function<void(int32_t)>& job);

  private:
    void work(int32_t p);
    void stop();  // the workers finish and are joined

    std::vector<std::thread> workers_;
    std::atomic<uint64_t> generation_{0};
    std::atomic<int32_t> pending_{0};
    std::atomic<bool> quit_{false};
    const std::function<void(int32_t)>* job_ = nullptr;
    std::vector<std::exception_ptr> errors_;
    std::mutex mutex_;
    std::condition_variable wake_;
};

}  // namespace emu
