// POSIX shared memory, named semaphores and message queues: files in
// /dev/shm and /dev/mqueue. The kernel records no creator for them; the
// holders are the processes with the file open or mapped.
#include <dirent.h>
#include <fcntl.h>
#include <mqueue.h>
#include <semaphore.h>
#include <sys/stat.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "tools/ipcbox/ipcbox_name.h"
#include "tools/ipcbox/sources.h"

namespace ipcbox::tool {
namespace {

// Calls `visit(file name, stat)` for each regular file in `dir`.
template <typename Visit>
void ForEachFile(const std::string& dir, Visit visit) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;
  std::vector<std::string> names;
  while (struct dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') names.push_back(e->d_name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) {
    struct stat st;
    if (lstat((dir + "/" + n).c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      visit(n, st);
    }
  }
}

}  // namespace

IpcObject ObjectOfFile(Kind kind, const std::string& name,
                       const struct stat& st, const ProcessTable& table) {
  IpcObject o;
  o.kind = kind;
  o.name = name;
  o.uid = st.st_uid;
  o.uid_known = true;
  o.mode = st.st_mode & 07777;
  o.mode_known = true;
  o.bytes = st.st_size;
  o.holders = table.HoldersOf(st.st_dev, st.st_ino);
  pid_t creator;
  if (ParseIpcboxName(name, &creator)) {
    o.by_ipcbox = true;
    o.creator_pid = creator;
    o.creator_source = "name";
    o.creator_alive = table.IsAlive(creator);
  }
  return o;
}

void ScanPosixShm(const std::string& root, const ProcessTable& table,
                  std::vector<IpcObject>* out) {
  ForEachFile(root + "/dev/shm",
              [&](const std::string& n, const struct stat& st) {
                if (absl::StartsWith(n, "sem.")) return;
                IpcObject o = ObjectOfFile(Kind::kShm, "/" + n, st, table);
                o.size = absl::StrCat(st.st_size, " B");
                out->push_back(std::move(o));
              });
}

void ScanPosixSem(const std::string& root, const ProcessTable& table,
                  std::vector<IpcObject>* out) {
  ForEachFile(
      root + "/dev/shm", [&](const std::string& n, const struct stat& st) {
        if (!absl::StartsWith(n, "sem.") || n.size() == 4) return;
        IpcObject o = ObjectOfFile(Kind::kSem, "/" + n.substr(4), st, table);
        o.size = "value ?";
        if (root.empty()) {
          // sem_open maps the semaphore into this process, which the process
          // table leaves out; opening never creates (no O_CREAT).
          sem_t* sem = sem_open(o.name.c_str(), 0);
          if (sem != SEM_FAILED) {
            int value = 0;
            if (sem_getvalue(sem, &value) == 0)
              o.size = absl::StrCat("value ", value);
            sem_close(sem);
          }
        }
        out->push_back(std::move(o));
      });
}

void ScanPosixMq(const std::string& root, const ProcessTable& table,
                 std::vector<IpcObject>* out) {
  const std::string dir = root + "/dev/mqueue";
  ForEachFile(dir, [&](const std::string& n, const struct stat& st) {
    IpcObject o = ObjectOfFile(Kind::kMq, "/" + n, st, table);
    // "QSIZE:129 NOTIFY:2 SIGNO:0 NOTIFY_PID:8260": QSIZE counts bytes.
    std::string text;
    uint64_t qsize = 0;
    if (ReadSmallFile(dir + "/" + n, &text)) {
      for (absl::string_view field :
           absl::StrSplit(text, ' ', absl::SkipWhitespace())) {
        if (absl::ConsumePrefix(&field, "QSIZE:")) {
          absl::SimpleAtoi(absl::StripAsciiWhitespace(field), &qsize);
        }
        pid_t notify = 0;
        if (absl::ConsumePrefix(&field, "NOTIFY_PID:") &&
            absl::SimpleAtoi(absl::StripAsciiWhitespace(field), &notify) &&
            table.IsAlive(notify)) {
          o.holders.push_back(Holder{notify, "notify", table.Comm(notify)});
        }
      }
    }
    o.bytes = qsize;
    o.size = absl::StrCat(qsize, " B");
    if (root.empty()) {
      mqd_t q = mq_open(o.name.c_str(), O_RDONLY | O_NONBLOCK);
      if (q != static_cast<mqd_t>(-1)) {
        struct mq_attr attr;
        if (mq_getattr(q, &attr) == 0) {
          o.size = absl::StrCat(attr.mq_curmsgs, "/", attr.mq_maxmsg, " msgs, ",
                                qsize, " B");
        }
        mq_close(q);
      }
    }
    out->push_back(std::move(o));
  });
}

}  // namespace ipcbox::tool
