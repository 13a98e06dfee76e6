// What `ipcbox` knows about one IPC object on the machine: its kind and name,
// owner, size, the processes the kernel records for it and the processes
// that have it open, mapped or attached, and the verdict drawn from them.
//
//   std::vector<IpcObject> objects = ScanObjects(options);
//   for (const IpcObject& o : objects) {
//     if (o.verdict == Verdict::kStale) ...
//   }
//
// Filled by the sources (sources.h), judged by `DecideVerdict()`
// (verdict.h), printed by output.h.
#ifndef IPCBOX_TOOLS_IPCBOX_IPC_OBJECT_H_
#define IPCBOX_TOOLS_IPCBOX_IPC_OBJECT_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace ipcbox::tool {

enum class Kind {
  kShm,      // POSIX shared memory: /dev/shm/<name>
  kSem,      // POSIX named semaphore: /dev/shm/sem.<name>
  kMq,       // POSIX message queue: /dev/mqueue/<name>
  kSysvShm,  // /proc/sysvipc/shm
  kSysvSem,  // /proc/sysvipc/sem
  kSysvMsg,  // /proc/sysvipc/msg
  kSocket,   // bound Unix sockets (/proc/net/unix) and socket files
  kFifo,     // named pipes under the scanned directories
  kLock,     // /proc/locks
  kChannel,  // lib/channel segments among the /dev/shm objects
};

inline constexpr Kind kAllKinds[] = {
    Kind::kShm,     Kind::kSem,    Kind::kMq,   Kind::kSysvShm, Kind::kSysvSem,
    Kind::kSysvMsg, Kind::kSocket, Kind::kFifo, Kind::kLock,    Kind::kChannel};

// "shm", "sem", "mq", "sysv-shm", ... as `--kind` spells them.
const char* KindName(Kind kind);
// The inverse; false for an unknown name.
bool ParseKind(absl::string_view name, Kind* kind);

enum class Verdict {
  kInUse,  // a live process has it open, mapped, attached or locked
  kIdle,   // nothing uses it, but its creator is alive or unknown
  kStale,  // its creator is dead (or its binder is gone) and nothing uses it
};
const char* VerdictName(Verdict verdict);

// A process the object is tied to, and how.
struct Holder {
  pid_t pid = 0;
  std::string how;   // "open", "mapped", "attached", "locked", ...
  std::string comm;  // /proc/<pid>/comm, may be empty
};

// A publisher or subscriber of a channel (Kind::kChannel).
struct ChannelParticipant {
  bool publisher = false;
  uint32_t place = 0;  // a subscriber's place in the segment
  // Holds its liveness lock now: the kernel drops it when the process dies.
  bool alive = false;
  pid_t pid = 0;  // 0: not known
  // "lock": the process whose descriptor holds the lock (fdinfo); "record":
  // the pid the segment records, untrusted, for a place whose process is
  // dead or not visible here.
  std::string pid_source;
  uint64_t backlog = 0;  // subscribers: published, not yet read
  uint64_t missed = 0;   // subscribers: the segment's count
};

// What the channel's control block says, read through InspectChannel
// (ipcbox/channel/channel_inspect.h). `problem` is set, and nothing else,
// for a segment that carries the channel mark but fails the checks.
struct ChannelState {
  std::string problem;
  uint32_t slot_count = 0;
  uint32_t max_subscribers = 0;
  uint32_t max_payload = 0;
  std::string policy;  // "block-publisher" or "drop-oldest"
  uint64_t published = 0;
  uint32_t publisher_epoch = 0;
  uint32_t live_participants = 0;
  // The publisher first, then each subscriber place that is alive or was
  // left marked active by a process that died.
  std::vector<ChannelParticipant> participants;
};

struct IpcObject {
  Kind kind = Kind::kShm;
  // What `rm` and `show` take: "/name" for POSIX objects, the id for System
  // V objects, the path for FIFOs and socket files, "@name" for abstract
  // sockets, the path (or "dev:inode") for locks.
  std::string name;
  std::string key;     // System V key as 0x%08x; empty elsewhere
  std::string detail;  // kind-specific words: socket type, lock type, ...
  uid_t uid = 0;
  bool uid_known = false;
  unsigned mode = 0;  // permission bits
  bool mode_known = false;
  std::string size;  // human: "4096 B", "3 msgs, 24 B", "values 1,0"
  uint64_t bytes = 0;

  // Pids the kernel records (0 when none is recorded) and whether each is
  // alive now. For objects named by ipcbox's UniqueName the creator is the
  // pid in the name.
  pid_t creator_pid = 0;
  bool creator_alive = false;
  std::string creator_source;  // "cpid", "name", ...
  pid_t last_pid = 0;
  bool last_alive = false;

  int attach_count = -1;  // System V nattch; -1 when the kernel keeps none
  std::vector<Holder> holders;  // live processes that have it

  // True when nothing can ever use it again whatever the creator pid says:
  // a socket file with no socket bound to it.
  bool orphaned = false;

  bool by_ipcbox = false;  // name follows ipcbox's UniqueName pattern

  // `show` only, for a listening socket: who listens, or why that is not
  // known (listener_credentials.h).
  std::string listener;

  ChannelState channel;  // Kind::kChannel only

  Verdict verdict = Verdict::kIdle;
  std::string reason;  // one line: why the verdict
};

}  // namespace ipcbox::tool

#endif  // IPCBOX_TOOLS_IPCBOX_IPC_OBJECT_H_
