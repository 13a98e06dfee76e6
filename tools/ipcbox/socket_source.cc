// Unix sockets. /proc/net/unix lists every socket of this network
// namespace: "Num RefCount Protocol Flags Type St Inode Path". Only the
// bound ones (with a path, '@' for abstract names) are objects here; a
// server's accepted connections carry its path too and count as its
// connections. Holders are the processes with a descriptor of any of them
// (/proc/<pid>/fd -> socket:[inode]).
//
// A socket file that no socket is bound to is orphaned: connect() to it
// fails with ECONNREFUSED forever, whoever made it. Such files are found
// by walking the directories given. Caveat: a socket bound with a
// relative path, or in another network namespace, does not match its file.
#include <map>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tools/ipcbox/file_walk.h"
#include "tools/ipcbox/ipcbox_name.h"
#include "tools/ipcbox/sources.h"

namespace ipcbox::tool {
namespace {

constexpr unsigned kAcceptCon = 0x10000;  // __SO_ACCEPTCON: listening

const char* TypeName(unsigned type) {
  switch (type) {
    case 1:
      return "stream";
    case 2:
      return "dgram";
    case 5:
      return "seqpacket";
  }
  return "?";
}

struct Bound {
  std::vector<uint64_t> inodes;
  unsigned type = 0;
  bool listening = false;
};

void SetCreatorFromName(const ProcessTable& table, IpcObject* o) {
  pid_t creator;
  if (ParseIpcboxName(o->name, &creator)) {
    o->by_ipcbox = true;
    o->creator_pid = creator;
    o->creator_source = "name";
    o->creator_alive = table.IsAlive(creator);
  }
}

}  // namespace

void ScanSockets(const std::string& root, const std::vector<std::string>& paths,
                 const ProcessTable& table, std::vector<IpcObject>* out) {
  std::map<std::string, Bound> bound;
  std::string text;
  if (ReadSmallFile(root + "/proc/net/unix", &text)) {
    bool header = true;
    for (absl::string_view line :
         absl::StrSplit(text, '\n', absl::SkipWhitespace())) {
      if (header) {
        header = false;
        continue;
      }
      std::vector<absl::string_view> f =
          absl::StrSplit(line, ' ', absl::SkipEmpty());
      if (f.size() < 8) continue;  // unbound
      unsigned flags, type;
      uint64_t ino;
      if (!absl::SimpleHexAtoi(f[3], &flags) ||
          !absl::SimpleHexAtoi(f[4], &type) || !absl::SimpleAtoi(f[6], &ino)) {
        continue;
      }
      Bound& b = bound[std::string(f[7])];
      b.inodes.push_back(ino);
      b.type = type;
      b.listening = b.listening || (flags & kAcceptCon) != 0;
    }
  }
  for (const auto& [path, b] : bound) {
    IpcObject o;
    o.kind = Kind::kSocket;
    o.name = path;
    o.detail = absl::StrCat(TypeName(b.type), b.listening ? " listening" : "");
    o.size = absl::StrCat(b.inodes.size(), " sockets");
    for (uint64_t ino : b.inodes) {
      for (const Holder& h : table.SocketHolders(ino)) {
        bool seen = false;
        for (const Holder& k : o.holders) seen = seen || k.pid == h.pid;
        if (!seen) o.holders.push_back(h);
      }
    }
    struct stat st;
    if (path[0] == '/' && lstat((root + path).c_str(), &st) == 0) {
      o.uid = st.st_uid;
      o.uid_known = true;
      o.mode = st.st_mode & 07777;
      o.mode_known = true;
    } else if (path[0] == '/') {
      absl::StrAppend(&o.detail, ", file removed");
    }
    SetCreatorFromName(table, &o);
    out->push_back(std::move(o));
  }
  WalkFiles(root, paths, S_IFSOCK,
            [&](const std::string& path, const struct stat& st) {
              if (bound.count(path) != 0) return;
              IpcObject o;
              o.kind = Kind::kSocket;
              o.name = path;
              o.detail = "file, nothing bound";
              o.size = "0 sockets";
              o.uid = st.st_uid;
              o.uid_known = true;
              o.mode = st.st_mode & 07777;
              o.mode_known = true;
              o.orphaned = true;
              SetCreatorFromName(table, &o);
              out->push_back(std::move(o));
            });
}

}  // namespace ipcbox::tool
