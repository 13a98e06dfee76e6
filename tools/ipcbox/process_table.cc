#include "tools/ipcbox/process_table.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ipcbox::tool {

bool ReadSmallFile(const std::string& path, std::string* contents) {
  std::ifstream in(path);
  if (!in) return false;
  std::ostringstream out;
  out << in.rdbuf();
  *contents = out.str();
  return true;
}

namespace {

bool ParsePid(const char* name, pid_t* pid) {
  int value = 0;
  if (!absl::SimpleAtoi(name, &value) || value <= 0) return false;
  *pid = value;
  return true;
}

// A process is dead once it is a zombie: its descriptors and mappings are
// gone even though its /proc entry waits for the parent's wait().
bool IsZombie(const std::string& stat) {
  // "pid (comm) S ...": comm may hold spaces and parentheses.
  size_t close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() &&
         (stat[close + 2] == 'Z' || stat[close + 2] == 'X');
}

}  // namespace

void ProcessTable::Add(std::map<FileKey, std::vector<Holder>>& index,
                       FileKey key, pid_t pid, const char* how) {
  std::vector<Holder>& holders = index[key];
  for (Holder& h : holders) {
    if (h.pid == pid) {
      if (!absl::StrContains(h.how, how)) absl::StrAppend(&h.how, "+", how);
      return;
    }
  }
  holders.push_back(Holder{pid, how, comm_[pid]});
}

ProcessTable ProcessTable::Scan(const std::string& root) {
  ProcessTable table;
  table.root_ = root;
  const std::string proc = root + "/proc";
  const pid_t self = root.empty() ? getpid() : -1;
  DIR* dir = opendir(proc.c_str());
  if (dir == nullptr) return table;
  while (struct dirent* entry = readdir(dir)) {
    pid_t pid;
    if (!ParsePid(entry->d_name, &pid) || pid == self) continue;
    const std::string base = absl::StrCat(proc, "/", pid);
    std::string stat_line;
    if (!ReadSmallFile(base + "/stat", &stat_line) || IsZombie(stat_line))
      continue;
    std::string comm;
    ReadSmallFile(base + "/comm", &comm);
    table.comm_[pid] = std::string(absl::StripTrailingAsciiWhitespace(comm));

    const std::string fd_dir = base + "/fd";
    if (DIR* fds = opendir(fd_dir.c_str())) {
      while (struct dirent* fd = readdir(fds)) {
        if (fd->d_name[0] == '.') continue;
        const std::string link = fd_dir + "/" + fd->d_name;
        char target[4096];
        ssize_t n = readlink(link.c_str(), target, sizeof(target) - 1);
        if (n <= 0) continue;
        target[n] = '\0';
        uint64_t socket_ino;
        absl::string_view t(target, n);
        if (absl::ConsumePrefix(&t, "socket:[") &&
            absl::ConsumeSuffix(&t, "]") && absl::SimpleAtoi(t, &socket_ino)) {
          table.Add(table.sockets_, FileKey(0, socket_ino), pid, "open");
          continue;
        }
        struct stat st;
        if (stat(link.c_str(), &st) != 0) continue;
        FileKey key(st.st_dev, st.st_ino);
        table.Add(table.files_, key, pid, "open");
        table.paths_.emplace(key, target);
      }
      closedir(fds);
    }

    // "start-end perms offset major:minor inode path"
    std::ifstream maps(base + "/maps");
    std::string line;
    while (std::getline(maps, line)) {
      std::vector<absl::string_view> f =
          absl::StrSplit(line, ' ', absl::SkipEmpty());
      if (f.size() < 6) continue;
      uint64_t ino;
      if (!absl::SimpleAtoi(f[4], &ino) || ino == 0) continue;
      std::vector<absl::string_view> dev = absl::StrSplit(f[3], ':');
      unsigned major_number, minor_number;
      if (dev.size() != 2 || !absl::SimpleHexAtoi(dev[0], &major_number) ||
          !absl::SimpleHexAtoi(dev[1], &minor_number)) {
        continue;
      }
      if (absl::StartsWith(f[5], "/SYSV")) {
        // A System V segment: the inode number is the shmid.
        auto& holders = table.sysv_shm_[static_cast<int>(ino)];
        bool seen = false;
        for (const Holder& h : holders) seen = seen || h.pid == pid;
        if (!seen) holders.push_back(Holder{pid, "attached", table.comm_[pid]});
        continue;
      }
      table.Add(table.files_, FileKey(makedev(major_number, minor_number), ino),
                pid, "mapped");
    }
  }
  closedir(dir);
  return table;
}

std::vector<Holder> ProcessTable::HoldersOf(uint64_t dev, uint64_t ino) const {
  auto it = files_.find(FileKey(dev, ino));
  return it == files_.end() ? std::vector<Holder>() : it->second;
}

std::vector<Holder> ProcessTable::AttachersOf(int shmid) const {
  auto it = sysv_shm_.find(shmid);
  return it == sysv_shm_.end() ? std::vector<Holder>() : it->second;
}

std::vector<Holder> ProcessTable::SocketHolders(uint64_t ino) const {
  auto it = sockets_.find(FileKey(0, ino));
  return it == sockets_.end() ? std::vector<Holder>() : it->second;
}

std::string ProcessTable::PathOf(uint64_t dev, uint64_t ino) const {
  auto it = paths_.find(FileKey(dev, ino));
  return it == paths_.end() ? std::string() : it->second;
}

bool ProcessTable::IsAlive(pid_t pid) const {
  if (pid <= 0) return false;
  if (comm_.count(pid) != 0) return true;
  // Not seen during the scan (started since, or the scanner itself).
  std::string stat_line;
  return ReadSmallFile(absl::StrCat(root_, "/proc/", pid, "/stat"),
                       &stat_line) &&
         !IsZombie(stat_line);
}

std::string ProcessTable::Comm(pid_t pid) const {
  auto it = comm_.find(pid);
  return it == comm_.end() ? std::string() : it->second;
}

}  // namespace ipcbox::tool
