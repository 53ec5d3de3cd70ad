// How a run is governed from outside its loop: one call at a time, a stop request from
// another thread, a host that wants to look in every few milliseconds (for Ctrl-C and
// progress reports), and a bound on the memory its spike record may take. A run only
// ever stops between two steps, so the emulated machine always stands at a step
// boundary afterwards.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "errors.hpp"

namespace emu {

// Why a run ended before its last step.
enum class RunStop : int {
    kNone = 0,      // it ran every step
    kRequested,     // System::request_stop() (another thread)
    kWatch,         // the watcher's poll returned false (a signal, a failing callback)
    kRecordBudget,  // the spike record would have outgrown its byte budget
};

// The host's view into a running loop (the Python binding implements it). poll() is
// called on the run's own thread, between steps, about every kPollSeconds; it returns
// false to stop the run there.
class RunWatch {
  public:
    static constexpr double kPollSeconds = 0.002;
    virtual ~RunWatch() = default;
    virtual bool poll(int64_t steps_done) = 0;
};

// Decides when a run's loop looks at the clock: every `stride` steps, the stride
// doubling while steps are short and halving when they are long, so that a loop of tiny
// steps does not pay a clock read per step and a loop of long steps is still polled
// every step.
class PollPace {
  public:
    PollPace() : read_(std::chrono::steady_clock::now()), polled_(read_) {}
    // True when the watcher is due after this step.
    bool due() {
        if (++count_ < stride_) return false;
        count_ = 0;
        const auto now = std::chrono::steady_clock::now();
        const double since_read = std::chrono::duration<double>(now - read_).count();
        read_ = now;
        if (since_read < RunWatch::kPollSeconds / 8 && stride_ < (int64_t{1} << 20)) stride_ *= 2;
        else if (since_read > RunWatch::kPollSeconds && stride_ > 1) stride_ /= 2;
        if (std::chrono::duration<double>(now - polled_).count() < RunWatch::kPollSeconds)
            return false;
        polled_ = now;
        return true;
    }

  private:
    std::chrono::steady_clock::time_point read_, polled_;
    int64_t stride_ = 1, count_ = 0;
};

// One call at a time: held for the duration of a call on a System; a second call that
// finds it held throws BusyError instead of racing the first.
class OneCall {
  public:
    OneCall(std::atomic<bool>& busy, const char* what) : busy_(busy) {
        bool idle = false;
        if (!busy_.compare_exchange_strong(idle, true))
            throw BusyError(std::string("simulator busy: ") + what +
                            " was called while another call on this simulator (a run, a reset, "
                            "a state read) is in progress; one call at a time: wait for it, "
                            "or stop a run with interrupt()");
    }
    ~OneCall() { busy_.store(false); }
    OneCall(const OneCall&) = delete;
    OneCall& operator=(const OneCall&) = delete;

  private:
    std::atomic<bool>& busy_;
};

}  // namespace emu
