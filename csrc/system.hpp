// The whole emulated machine: the host's input channels, the cores, and the output-axon
// table that turns each spike into messages (one per destination core, Loihi-style).
//
// Source numbering: sources [0, n_inputs) are the input channels; then each core's
// compartments in core order (core c's compartment i is source source_base(c) + i).
//
// Time step t (numbered from 1), in lock step on every core, with a barrier between:
//   1. update: every core steps its compartments on the input of step t;
//   2. emit: the nonzero outputs of step t, and the input raster row of step t, become
//      spikes;
//   3. deliver: the spikes' synapses add their weights of step t into the input ring
//      (delay d lands at step t + 1 + d), through a layout that does not depend on the
//      split into cores (fanout.hpp); the messages the spikes make on the mapped
//      hardware are counted from tables built at load (source_costs.hpp, traffic.hpp);
//   4. learn: every plastic connection runs its spike phase, and at the end of an epoch
//      its learning phase; new weights act from step t + 1 on.
#pragma once
#include <atomic>
#include <functional>
#include <cstdint>
#include <string>
#include <vector>

#include "core.hpp"
#include "fanout.hpp"
#include "learning.hpp"
#include "mesh.hpp"
#include "output_axons.hpp"
#include "run_control.hpp"
#include "source_costs.hpp"
#include "spikes.hpp"
#include "thread_team.hpp"
#include "traffic.hpp"

namespace emu {

struct ProbeSpec {
    int32_t core, block;   // which block of which core
    std::string var;       // state variable name
    int32_t first, count;  // compartments [first, first + count) of the block
};

// Columns of RunOutput::host_steps: input spikes the host injected, the messages it sent
// for them (one per destination core), those of the messages that are graded, the payload
// bits they carry; the packets it put on the network (a packet per message, or per spike
// on multicast targets) and the links they crossed by kind (in LinkKind order).
enum HostColumn : int { kHostSpikes = 0, kHostMessages, kHostGradedMessages, kHostPayloadBits,
                        kHostPackets, kHostHopsEastWest, kHostHopsNorthSouth, kHostHopsChip,
                        kHostColumns };

// A probe on a plastic connection: variable `var` of engine `plastic`, every step.
struct PlasticProbeSpec {
    int32_t plastic;
    std::string var;
};

// Columns of RunOutput::time_totals, per figure variant (low, typical, high): the sum
// over steps of each step's network time (the longer of its longest latency and its
// busiest link's serialisation), the longest core time of any step, and the longest
// network time of any step.
enum TimeTotal : int { kTotalNetwork = 0, kMaxCore = 3, kMaxNetwork = 6, kTimeTotals = 9 };

// How to run: per_step keeps a row of counters, host columns, traffic and times for
// every step (else one row of run totals: sums, the longest hop count and busiest
// link's packets as maxima, no busiest link or slowest core); watch looks in between
// steps (may be null); record_budget bounds the bytes of the spike record.
struct RunOptions {
    bool per_step = true;
    RunWatch* watch = nullptr;
    uint64_t record_budget = UINT64_MAX;
};

struct RunOutput {
    int64_t steps_run = 0;                // steps actually run (fewer when stopped)
    RunStop stop = RunStop::kNone;        // why the run ended early, if it did
    std::vector<int64_t> step_ptr;        // steps + 1: step s's spikes are entries
    std::vector<int32_t> spike_source;    // [step_ptr[s], step_ptr[s + 1]) of these two,
    std::vector<int32_t> spike_payload;   // in source order
    std::vector<uint64_t> source_outputs; // n_sources: nonzero outputs of each source
    std::vector<uint64_t> core_counters;  // n_cores x kNumCounters, this run only
    // Rows per step (RunOptions::per_step), or one row of run totals:
    std::vector<uint64_t> step_counters;  // rows x kNumCounters, summed over cores
    std::vector<uint64_t> host_steps;     // rows x kHostColumns: what the host injected
    // The network (empty without set_network): rows x kTrafficColumns, rows x
    // kTimeColumns (summed over steps in a row of totals), kTimeTotals, per link and
    // per router totals of the run, deliveries by hops.
    std::vector<uint64_t> traffic_steps;
    std::vector<double> time_steps;
    std::vector<double> time_totals;
    std::vector<uint64_t> link_packets, link_bits, router_packets, hop_histogram;
};

class System {
  public:
    // payload_bits: the target's signed payload width; strict: a payload beyond it stops
    // the run with PayloadError instead of saturating (spec section 6).
    System(int32_t n_inputs, int32_t n_cores, int32_t payload_bits, bool strict);
    ~System();

    Core& core(int32_t c);
    void set_output_axons(OutputAxons table);
    // Which input channels send graded payloads (n_inputs flags; all binary if not set).
    void set_graded_inputs(std::vector<uint8_t> graded);
    // Where the cores sit on the network and how spikes travel it. Without this call the
    // system runs without network counters. multicast: cores' packets follow `tables`
    // (one per chip, keys core << key_shift), and the host sends one packet per input
    // spike down a tree along the chip paths; otherwise (axon routing) every sender sends
    // one packet per destination core.
    void set_network(MeshSpec spec, bool multicast, std::vector<MulticastTable> tables,
                     int32_t key_shift);
    void set_timing(Timing timing);
    // Threads a run uses (before finalize): exactly n (at most one per core), or, when
    // not exact, fewer for a small system (a thread per kMinWorkPerThread synapses and
    // neurons). The split never changes a result (fanout.hpp).
    void set_threads(int32_t n, bool exact);
    int32_t threads() const { return static_cast<int32_t>(partition_.size()) - 1; }
    // A plastic connection of n_synapses synapses (checked at finalize against the groups
    // given by add_plastic_group); returns its index.
    int32_t add_plastic(std::unique_ptr<PlasticConnection> plastic, uint64_t n_synapses);
    // Group `group` of core `core` holds synapses of plastic connection `plastic`.
    void add_plastic_group(int32_t plastic, int32_t core, int32_t group,
                           std::vector<int32_t> row_pre, int32_t post_start);
    void finalize();

    // Runs `steps` steps. raster: steps x n_inputs payloads (0 = no spike). probe_out:
    // steps x n_probe_columns, the probes' columns side by side in the order given;
    // plastic_out likewise for the plastic probes. A stop (options, request_stop) ends
    // the run between two steps: out.steps_run and out.stop say where and why, and the
    // outputs hold those steps. An error inside a step (a PayloadError in strict mode,
    // running out of memory) leaves the system mid-step: it must be reset before it
    // runs again. One call at a time: run and reset throw BusyError while another call
    // holds the system (guard()).
    void run(int64_t steps, const int32_t* raster, const std::vector<ProbeSpec>& probes,
             int64_t* probe_out, const std::vector<PlasticProbeSpec>& plastic_probes,
             int32_t* plastic_out, RunOutput& out, const RunOptions& options = {});
    void reset();
    // Asks the run in progress, if any, to stop after its current step; callable from
    // any thread, without the one-call guard.
    void request_stop() { stop_requested_.store(true); }
    // Holds the system for one call of the bindings (reads of state that a run changes).
    OneCall guard(const char* what) const { return OneCall(busy_, what); }
    void check_probes(const std::vector<ProbeSpec>& probes) const;
    // Columns a plastic probe fills per step.
    int64_t plastic_probe_columns(const PlasticProbeSpec& p) const;
    const PlasticConnection& plastic(int32_t k) const;

    const Mesh* mesh() const { return mesh_.get(); }
    int32_t n_inputs() const { return n_inputs_; }
    int32_t n_cores() const { return static_cast<int32_t>(cores_.size()); }
    int64_t n_sources() const { return n_sources_; }
    int64_t steps_done() const { return t_; }
    // What the loaded machine takes, by part (MemoryPart order), and in all; and the
    // synapses alone (the delivery layout, dense rows, learning engines' maps).
    enum MemoryPart : int { kMemSynapses = 0, kMemAccounting, kMemRing, kMemNetwork, kMemCores,
                            kMemParts };
    std::vector<uint64_t> memory_parts() const;
    uint64_t memory_bytes() const;
    uint64_t synapse_memory_bytes() const;
    uint64_t n_synapses() const;

  private:
    // Counts step t's messages: partition p counts the spikes of its cores (`own`: the
    // messages they send, into their cores' counters) and its share of the input
    // channels' (all of them on partition 0 on multicast targets): the messages' reads per
    // core and their packets on the network (per_core), or their reads into `total` (a
    // run without the network); then sums its multicast routes and last chips' links
    // (Traffic::end_part).
    int32_t core_of_source(int64_t s) const;  // (s: a core's compartment)
    void count_messages(int32_t p, const Spikes& own, const Spikes& inputs, bool per_core, Counters& total);
    template <bool kUnicast>  // (count_messages on unicast networks, or not)
    void count_spikes(int32_t p, const Spikes& own, const Spikes& inputs, bool per_core, Counters& total);
    // Step t's learning phase, on the same spikes.
    void learn(int64_t t, const int32_t* src, const int32_t* payload, size_t n,
               const int32_t* input_row);
    // Core c's nonzero outputs become spikes (appended to src and payload, counted in the
    // core's counters).
    void emit_core(int32_t c, std::vector<int32_t>& src, std::vector<int32_t>& payload);
    // Runs job(p) for every partition p, on the team when there is more than one.
    void each_partition(const std::function<void(int32_t)>& job);
    // The cores split into threads() contiguous ranges of about equal work.
    void split_cores();
    // One whole step t of a run: its traffic and time columns go to the rows given.
    void step(int64_t t, const int32_t* input_row, RunOutput& out, uint64_t* host_row,
              uint64_t* traffic_row, double* time_row, Counters& reads);
    // Counts a step's input spikes: the host's columns, and each channel's in `outputs`.
    void count_host(const Spikes& inputs, uint64_t* host, uint64_t* outputs) const;
    // Builds the routes and the traffic accounting (finalize).
    void finalize_network();
    // Step s's per-core busy times: the slowest core's, per figure variant.
    void time_cores(double* time_row, uint64_t* traffic_row);

    int32_t n_inputs_;
    PayloadWidth width_;
    std::vector<uint8_t> graded_inputs_;
    std::vector<Core> cores_;
    std::vector<int64_t> source_base_;   // per core
    int64_t n_sources_ = 0;
    // The output-axon table as loaded (until finalize builds the layout and the costs).
    OutputAxons out_;  // until finalize()
    Fanout fanout_;
    SourceCosts costs_;
    std::vector<Counters*> counters_;    // per core
    // Threads: the cores' partition (threads() + 1 boundaries), the team (made at the
    // first run that needs it, in the process that runs), and per partition its spikes
    // of a step and its reads (runs without network).
    int32_t threads_ = 1;
    bool threads_exact_ = true;
    std::vector<int32_t> partition_;
    std::unique_ptr<ThreadTeam> team_;
    int64_t team_pid_ = -1;
    struct Emitted {
        std::vector<int32_t> src, payload;
    };
    std::vector<Emitted> emitted_;
    Emitted inputs_;                     // the step's input spikes (channels with a payload)
    std::vector<size_t> spike_offset_;   // per partition, where its spikes start in a step
    std::vector<Counters> partition_reads_;
    bool finalized_ = false;
    bool broken_ = false;                // a run stopped mid-step; reset() required
    // steps done since the last reset; atomic: Python may poll it (steps_done) from
    // another thread while run() advances it with the GIL released
    std::atomic<int64_t> t_{0};
    mutable std::atomic<bool> busy_{false};    // a call holds the system (OneCall)
    std::atomic<bool> stop_requested_{false};  // request_stop() during a run
    std::vector<std::unique_ptr<PlasticConnection>> plastic_;
    std::vector<uint64_t> plastic_synapses_;  // what each plastic connection should hold
    std::vector<int32_t> step_payload_;       // per source, this step's payload (learning)
    // The network: spec and tables until finalize, then the mesh and its accounting.
    std::unique_ptr<MeshSpec> mesh_spec_;
    bool multicast_ = false;
    std::vector<MulticastTable> tables_;
    int32_t key_shift_ = 0;
    std::unique_ptr<Mesh> mesh_;
    std::unique_ptr<Traffic> traffic_;
    Timing timing_;
    std::vector<int32_t> core_route_;    // multicast: per core, its tree (-1: none)
    std::vector<int32_t> input_route_;   // multicast: per input channel, its tree (-1: none)
    std::vector<int32_t> source_core_;   // per source: its core (-1: an input)
    std::vector<uint8_t> source_graded_; // per source: sends graded payloads
    std::vector<uint64_t> last_counters_;  // n_cores x kNumCounters at the previous step
};

}  // namespace emu
