#include "tools/bench/cpu_affinity.h"

#include <errno.h>
#include <sched.h>

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ipcbox::bench {

std::vector<int> AllowedCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

absl::Status PinThisThread(int cpu) {
  if (cpu < 0 || cpu >= CPU_SETSIZE) {
    return absl::InvalidArgumentError(absl::StrCat("no such CPU: ", cpu));
  }
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof(set), &set) != 0) {
    return absl::ErrnoToStatus(
        errno, absl::StrCat("sched_setaffinity(CPU ", cpu, ")"));
  }
  return absl::OkStatus();
}

AffinityRestorer::AffinityRestorer() {
  CPU_ZERO(&saved_);
  valid_ = sched_getaffinity(0, sizeof(saved_), &saved_) == 0;
}

AffinityRestorer::~AffinityRestorer() {
  if (valid_) sched_setaffinity(0, sizeof(saved_), &saved_);
}

}  // namespace ipcbox::bench
