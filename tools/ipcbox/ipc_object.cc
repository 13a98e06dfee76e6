#include "tools/ipcbox/ipc_object.h"

namespace ipcbox::tool {

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kShm:
      return "shm";
    case Kind::kSem:
      return "sem";
    case Kind::kMq:
      return "mq";
    case Kind::kSysvShm:
      return "sysv-shm";
    case Kind::kSysvSem:
      return "sysv-sem";
    case Kind::kSysvMsg:
      return "sysv-msg";
    case Kind::kSocket:
      return "socket";
    case Kind::kFifo:
      return "fifo";
    case Kind::kLock:
      return "lock";
    case Kind::kChannel:
      return "channel";
  }
  return "?";
}

bool ParseKind(absl::string_view name, Kind* kind) {
  for (Kind k : kAllKinds) {
    if (name == KindName(k)) {
      *kind = k;
      return true;
    }
  }
  return false;
}

const char* VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kInUse:
      return "in use";
    case Verdict::kIdle:
      return "idle";
    case Verdict::kStale:
      return "stale";
  }
  return "?";
}

}  // namespace ipcbox::tool
