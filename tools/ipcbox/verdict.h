// The verdict on one object, from what the sources found:
//
//   in use  a live process has it open, mapped, attached or locked, or the
//           kernel counts an attachment (System V nattch > 0);
//   stale   nothing uses it and its creator is dead (System V cpid, the pid
//           in an ipcbox name, a lock's pid), or it is a socket file no
//           socket is bound to;
//   idle    nothing uses it and the creator is alive or not recorded (POSIX
//           objects with foreign names, System V queues and semaphore sets,
//           FIFOs): ipcbox cannot prove those dead, so it never calls them
//           stale.
//
// A channel is in use while a participant holds its liveness lock or a
// process has it open or mapped, and stale otherwise; a corrupt one (its
// control block fails the checks) that nothing uses is idle.
//
//   object.verdict = DecideVerdict(object, &object.reason);
#ifndef IPCBOX_TOOLS_IPCBOX_VERDICT_H_
#define IPCBOX_TOOLS_IPCBOX_VERDICT_H_

#include <string>

#include "tools/ipcbox/ipc_object.h"

namespace ipcbox::tool {

// Sets `*reason` to one line saying why.
Verdict DecideVerdict(const IpcObject& object, std::string* reason);

}  // namespace ipcbox::tool

#endif  // IPCBOX_TOOLS_IPCBOX_VERDICT_H_
