// `ipcbox doctor`: what this kernel and board offer for IPC, and where a
// product will hit limits. Each check is ok, warning (present but small,
// or not set up) or missing, with one line saying why.
//
//   for (const DoctorCheck& c : RunDoctor("")) std::cout << c.name ...
//
// Files (/proc/sysvipc, /proc/sys/kernel/*, /proc/sys/fs/mqueue/*,
// /proc/mounts, /dev/shm) are read under `root`, so that tests can point
// it at a fake tree. The system-call probes (OFD locks, close_range,
// pidfd_open, memfd_create, sem_clockwait) and RLIMIT_NOFILE are about the
// running kernel and process whatever `root` says.
#ifndef IPCBOX_TOOLS_IPCBOX_DOCTOR_H_
#define IPCBOX_TOOLS_IPCBOX_DOCTOR_H_

#include <string>
#include <vector>

namespace ipcbox::tool {

enum class Health { kOk, kWarning, kMissing };
const char* HealthName(Health health);

struct DoctorCheck {
  std::string name;
  Health health = Health::kOk;
  std::string value;   // what was found, "-" if nothing
  std::string reason;  // one line
};

std::vector<DoctorCheck> RunDoctor(const std::string& root);

}  // namespace ipcbox::tool

#endif  // IPCBOX_TOOLS_IPCBOX_DOCTOR_H_
