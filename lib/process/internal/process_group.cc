#include "ipcbox/process/internal/process_group.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/retry.h"

namespace ipcbox {
namespace process_internal {
namespace {

// Parses a decimal pid; false for anything else ("self", "sys", ...).
bool ParsePid(const char* text, pid_t* pid) {
  if (*text < '1' || *text > '9') return false;
  long value = 0;
  for (; *text != '\0'; ++text) {
    if (*text < '0' || *text > '9' || value > 10000000) return false;
    value = value * 10 + (*text - '0');
  }
  *pid = static_cast<pid_t>(value);
  return true;
}

// Whether the directory entries in `buffer` name a running member of `pgid`.
bool BatchHasRunningMember(int proc_dir, const char* buffer, long length,
                           pid_t pgid) {
  for (long offset = 0; offset < length;) {
    const auto* entry = reinterpret_cast<const dirent64*>(buffer + offset);
    offset += entry->d_reclen;
    pid_t pid = 0;
    char state = 0;
    pid_t member_pgid = 0;
    if (!ParsePid(entry->d_name, &pid)) continue;
    if (!ReadProcessState(proc_dir, pid, &state, &member_pgid)) continue;
    if (member_pgid == pgid && state != 'Z' && state != 'X') return true;
  }
  return false;
}

}  // namespace

bool ReadProcessState(int proc_dir, pid_t pid, char* state, pid_t* pgid) {
  char path[40];
  std::snprintf(path, sizeof(path), "/proc/%d/stat", static_cast<int>(pid));
  constexpr size_t kProcPrefix = sizeof("/proc/") - 1;
  const int raw = proc_dir >= 0 ? ::openat(proc_dir, path + kProcPrefix,
                                           O_RDONLY | O_CLOEXEC)
                                : ::open(path, O_RDONLY | O_CLOEXEC);
  if (raw < 0) return false;
  Fd file(raw);
  // "pid (comm) S ppid pgrp ...": comm may hold spaces and parentheses, so
  // the fields start after the LAST ')'. 512 bytes reach well past pgrp.
  char text[512];
  const ssize_t n =
      RetryOnEintr([&] { return ::read(raw, text, sizeof(text) - 1); });
  if (n <= 0) return false;
  text[n] = '\0';
  const char* cursor = std::strrchr(text, ')');
  if (cursor == nullptr || cursor[1] != ' ' || cursor[2] == '\0') return false;
  *state = cursor[2];
  cursor += 3;
  for (int field = 0; field < 2; ++field) {  // ppid, then pgrp
    char* end = nullptr;
    const long value = std::strtol(cursor, &end, 10);
    if (end == cursor) return false;
    if (field == 1) *pgid = static_cast<pid_t>(value);
    cursor = end;
  }
  return true;
}

absl::StatusOr<bool> GroupHasRunningMember(pid_t pgid) {
  if (::kill(-pgid, 0) != 0) {
    if (errno == ESRCH) return false;
    if (errno != EPERM) {
      return ErrnoError(errno, "kill",
                        absl::StrCat("signal 0 to group ", pgid));
    }
  }
  const int raw_dir = ::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (raw_dir < 0) return ErrnoError(errno, "open", "/proc");
  Fd proc_dir(raw_dir);
  alignas(dirent64) char buffer[4096];
  for (;;) {
    const ssize_t length = ::getdents64(proc_dir.get(), buffer, sizeof(buffer));
    if (length < 0) return ErrnoError(errno, "getdents64", "/proc");
    if (length == 0) return false;
    if (BatchHasRunningMember(proc_dir.get(), buffer, length, pgid)) {
      return true;
    }
  }
}

}  // namespace process_internal
}  // namespace ipcbox
