// File locks from /proc/locks:
//   "1: POSIX  ADVISORY  WRITE 3387 fd:00:1052678 0 EOF"
//   "2: OFDLCK ADVISORY  READ  -1 00:05:1234 0 EOF"
//   "3: -> FLOCK  ADVISORY  WRITE 2010 00:1a:5 0 EOF"   (a waiter)
// A lock lives as long as its open file description, so every lock is in
// use by whoever holds that; OFD locks record no pid (-1), and then the
// holders are the processes with the file open. Waiters are counted.
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "tools/ipcbox/sources.h"

namespace ipcbox::tool {

void ScanLocks(const std::string& root, const ProcessTable& table,
               std::vector<IpcObject>* out) {
  std::string text;
  if (!ReadSmallFile(root + "/proc/locks", &text)) return;
  IpcObject* last = nullptr;
  int waiters = 0;
  auto finish = [&] {
    if (last != nullptr && waiters > 0) {
      absl::StrAppend(&last->detail, ", ", waiters, " waiting");
    }
    waiters = 0;
  };
  for (absl::string_view line :
       absl::StrSplit(text, '\n', absl::SkipWhitespace())) {
    std::vector<absl::string_view> f =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (f.size() >= 2 && f[1] == "->") {
      ++waiters;
      continue;
    }
    if (f.size() < 8) continue;
    finish();
    int64_t pid;
    std::vector<absl::string_view> id = absl::StrSplit(f[5], ':');
    unsigned major_number, minor_number;
    uint64_t ino;
    if (!absl::SimpleAtoi(f[4], &pid) || id.size() != 3 ||
        !absl::SimpleHexAtoi(id[0], &major_number) ||
        !absl::SimpleHexAtoi(id[1], &minor_number) ||
        !absl::SimpleAtoi(id[2], &ino)) {
      continue;
    }
    dev_t dev = makedev(major_number, minor_number);
    IpcObject o;
    o.kind = Kind::kLock;
    o.name = table.PathOf(dev, ino);
    struct stat st;
    if (o.name.empty()) {
      o.name = std::string(f[5]);
    } else if (lstat((root + o.name).c_str(), &st) == 0) {
      o.uid = st.st_uid;
      o.uid_known = true;
      o.mode = st.st_mode & 07777;
      o.mode_known = true;
    }
    o.detail = absl::StrCat(f[1], " ", f[3]);
    o.size = absl::StrCat(f[6], "-", f[7]);
    if (pid > 0) {
      o.creator_pid = static_cast<pid_t>(pid);
      o.creator_alive = table.IsAlive(o.creator_pid);
      o.creator_source = "locker";
      if (o.creator_alive) {
        o.holders.push_back(
            Holder{o.creator_pid, "locked", table.Comm(o.creator_pid)});
      }
    }
    for (Holder h : table.HoldersOf(dev, ino)) {
      bool seen = false;
      for (const Holder& k : o.holders) seen = seen || k.pid == h.pid;
      if (!seen) o.holders.push_back(h);
    }
    out->push_back(std::move(o));
    last = &out->back();
  }
  finish();
}

}  // namespace ipcbox::tool
