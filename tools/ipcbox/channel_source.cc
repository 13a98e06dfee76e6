// Channels (lib/channel): the /dev/shm objects that carry a channel's
// mark. Their state comes from InspectChannel, which reads copies of the
// control block and checks every field, and takes no lock and no place;
// who the participants are comes from the kernel: the process whose
// descriptor holds a participant's lock (its /proc/<pid>/fdinfo lists the
// locks of that descriptor).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "ipcbox/channel/channel_inspect.h"
#include "tools/ipcbox/sources.h"

namespace ipcbox::tool {
namespace {

// Lock byte -> pid, for the OFD locks that `pids`' descriptors of the file
// (dev, ino) hold. Only processes that have the file open are read.
std::map<int64_t, pid_t> LockOwners(const std::string& root,
                                    const std::set<pid_t>& pids,
                                    const struct stat& file) {
  std::map<int64_t, pid_t> owners;
  const std::string dev_ino =
      absl::StrFormat("%02x:%02x:%u", major(file.st_dev), minor(file.st_dev),
                      static_cast<uint64_t>(file.st_ino));
  for (pid_t pid : pids) {
    const std::string base = absl::StrCat(root, "/proc/", pid);
    DIR* dir = opendir((base + "/fd").c_str());
    if (dir == nullptr) continue;
    std::vector<std::string> fds;
    while (struct dirent* e = readdir(dir)) {
      if (e->d_name[0] != '.') fds.push_back(e->d_name);
    }
    closedir(dir);
    for (const std::string& fd : fds) {
      struct stat st;
      if (stat((base + "/fd/" + fd).c_str(), &st) != 0 ||
          st.st_dev != file.st_dev || st.st_ino != file.st_ino) {
        continue;
      }
      // "lock:\t1: OFDLCK ADVISORY  WRITE -1 00:1a:65693 3 3"
      std::string info;
      if (!ReadSmallFile(base + "/fdinfo/" + fd, &info)) continue;
      for (absl::string_view line : absl::StrSplit(info, '\n')) {
        if (!absl::ConsumePrefix(&line, "lock:")) continue;
        std::vector<absl::string_view> f =
            absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
        int64_t start = 0;
        if (f.size() >= 8 && f[1] == "OFDLCK" && f[3] == "WRITE" &&
            f[5] == dev_ino && absl::SimpleAtoi(f[6], &start)) {
          owners[start] = pid;
        }
      }
    }
  }
  return owners;
}

void Describe(const ChannelInfo& info, const std::map<int64_t, pid_t>& owners,
              IpcObject* o) {
  ChannelState& c = o->channel;
  c.slot_count = info.slot_count;
  c.max_subscribers = info.max_subscribers;
  c.max_payload = info.max_payload;
  c.policy = info.drop_oldest ? "drop-oldest" : "block-publisher";
  c.published = info.published;
  c.publisher_epoch = info.publisher_epoch;
  ChannelParticipant publisher;
  publisher.publisher = true;
  publisher.alive = info.publisher_alive;
  if (auto it = owners.find(0); it != owners.end() && info.publisher_alive) {
    publisher.pid = it->second;
    publisher.pid_source = "lock";
  }
  c.participants.push_back(publisher);
  c.live_participants = info.publisher_alive ? 1 : 0;
  for (const ChannelSubscriberInfo& s : info.subscribers) {
    if (!s.alive && !s.active_flag) continue;  // a free place
    ChannelParticipant p;
    p.place = s.place;
    p.alive = s.alive;
    p.backlog = s.backlog;
    p.missed = s.missed;
    auto it = owners.find(1 + int64_t{s.place});
    if (s.alive && it != owners.end()) {
      p.pid = it->second;
      p.pid_source = "lock";
    } else if (s.recorded_pid > 0 && s.recorded_pid <= 0x3fffffffu) {
      p.pid = static_cast<pid_t>(s.recorded_pid);
      p.pid_source = "record";
    }
    c.live_participants += s.alive ? 1 : 0;
    c.participants.push_back(p);
  }
  uint32_t subscribers = c.live_participants - (info.publisher_alive ? 1 : 0);
  o->size = absl::StrCat(info.slot_count, "x", info.max_payload, " B, ",
                         info.published, " published");
  o->detail = absl::StrCat(c.policy, ", ", subscribers, "/",
                           info.max_subscribers, " subscribers");
}

}  // namespace

void ScanChannels(const std::string& root, const ProcessTable& table,
                  std::vector<IpcObject>* out) {
  const std::string dir_path = root + "/dev/shm";
  DIR* dir = opendir(dir_path.c_str());
  if (dir == nullptr) return;
  std::vector<std::string> names;
  while (struct dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.' && !absl::StartsWith(e->d_name, "sem.")) {
      names.push_back(e->d_name);
    }
  }
  closedir(dir);
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) {
    // Read-only, and never through a symbolic link or into a FIFO.
    const int fd = open((dir_path + "/" + n).c_str(),
                        O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) continue;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !LooksLikeChannel(fd)) {
      close(fd);
      continue;
    }
    IpcObject o = ObjectOfFile(Kind::kChannel, "/" + n, st, table);
    absl::StatusOr<ChannelInfo> info = InspectChannel(fd);
    if (info.ok()) {
      std::set<pid_t> pids;
      for (const Holder& h : o.holders) pids.insert(h.pid);
      Describe(*info, LockOwners(root, pids, st), &o);
    } else {
      o.channel.problem = std::string(info.status().message());
      o.size = absl::StrCat(st.st_size, " B, unreadable");
    }
    close(fd);
    out->push_back(std::move(o));
  }
}

}  // namespace ipcbox::tool
