// How ipcbox recognises the objects it made: `UniqueName()` and
// `UniqueTempPath()` (ipcbox/core/unique_name.h) name every object
// "<prefix>.<pid>.<16 hex digits>", the pid being the creator's. Nothing
// else marks an object, so this is a naming convention, not a proof: a
// foreign program could pick such a name. The pid in the name is what
// makes `stale` decidable for POSIX objects and FIFOs, whose kernel
// records keep no creator.
//
//   pid_t creator;
//   if (ParseIpcboxName("/shm_test.4242.9f3c0d11aa22bb33", &creator)) ...
//
// System V objects have keys, not names, and carry no marker.
#ifndef IPCBOX_TOOLS_IPCBOX_IPCBOX_NAME_H_
#define IPCBOX_TOOLS_IPCBOX_IPCBOX_NAME_H_

#include <sys/types.h>

#include "absl/strings/string_view.h"

namespace ipcbox::tool {

// True when the last path component of `name` (leading '/' and directories
// ignored) is "<prefix>.<pid>.<16 lowercase hex digits>" with a non-empty
// prefix and a positive pid; sets `*creator` to that pid.
bool ParseIpcboxName(absl::string_view name, pid_t* creator);

}  // namespace ipcbox::tool

#endif  // IPCBOX_TOOLS_IPCBOX_IPCBOX_NAME_H_
