// CPU pinning for benchmarks. On a small virtual machine, where a process
// runs decides what a benchmark measures: two processes on one vCPU measure
// the cost of the code and the context switch, two processes on two vCPUs
// add the cross-CPU wake-up a user also pays. Pinning makes that a choice.
//
//   ipcbox::bench::AffinityRestorer restore;  // Puts the old mask back.
//   std::vector<int> cpus = ipcbox::bench::AllowedCpus();
//   absl::Status pinned = ipcbox::bench::PinThisThread(cpus[0]);
//
// All of these act on the calling thread only (sched_setaffinity with pid 0).

#ifndef IPCBOX_TOOLS_BENCH_CPU_AFFINITY_H_
#define IPCBOX_TOOLS_BENCH_CPU_AFFINITY_H_

#include <sched.h>

#include <vector>

#include "absl/status/status.h"

namespace ipcbox::bench {

// The CPUs the calling thread may run on, ascending. Empty if the kernel
// refuses to say.
std::vector<int> AllowedCpus();

// Restricts the calling thread to `cpu`.
absl::Status PinThisThread(int cpu);

// Saves the calling thread's CPU mask and restores it when destroyed.
class AffinityRestorer {
 public:
  AffinityRestorer();
  ~AffinityRestorer();
  AffinityRestorer(const AffinityRestorer&) = delete;
  AffinityRestorer& operator=(const AffinityRestorer&) = delete;

 private:
  cpu_set_t saved_;
  bool valid_;
};

}  // namespace ipcbox::bench

#endif  // IPCBOX_TOOLS_BENCH_CPU_AFFINITY_H_
