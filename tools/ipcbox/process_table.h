// Who has what: every process's open descriptors (/proc/<pid>/fd) and file
// mappings (/proc/<pid>/maps), indexed by the file's device and inode, plus
// System V segments by id and sockets by inode. Taken once per command;
// the sources look objects up in it.
//
//   ProcessTable table = ProcessTable::Scan(root);
//   for (const Holder& h : table.HoldersOf(st.st_dev, st.st_ino)) ...
//   bool alive = table.IsAlive(1234);
//
// The scanning process itself is left out (it opens objects to read their
// state). Under qemu-user, other processes' maps are the kernel's own; only
// /proc/self/maps is emulated, and that one is skipped.
#ifndef IPCBOX_TOOLS_IPCBOX_PROCESS_TABLE_H_
#define IPCBOX_TOOLS_IPCBOX_PROCESS_TABLE_H_

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tools/ipcbox/ipc_object.h"

namespace ipcbox::tool {

class ProcessTable {
 public:
  // `root` prefixes /proc ("" for the machine's own).
  static ProcessTable Scan(const std::string& root);

  // Processes with the file (device, inode) open or mapped. 64-bit
  // numbers whatever the C library's dev_t and ino_t (32-bit ARM).
  std::vector<Holder> HoldersOf(uint64_t dev, uint64_t ino) const;
  // Processes with System V segment `shmid` attached.
  std::vector<Holder> AttachersOf(int shmid) const;
  // Processes with a descriptor of socket inode `ino`.
  std::vector<Holder> SocketHolders(uint64_t ino) const;
  // A path some process opened the file (device, inode) by; empty if none.
  std::string PathOf(uint64_t dev, uint64_t ino) const;

  // Exists and is not a zombie. 0 and negative pids are not alive.
  bool IsAlive(pid_t pid) const;
  std::string Comm(pid_t pid) const;

 private:
  using FileKey = std::pair<uint64_t, uint64_t>;  // device, inode
  void Add(std::map<FileKey, std::vector<Holder>>& index, FileKey key,
           pid_t pid, const char* how);

  std::string root_;
  std::map<pid_t, std::string> comm_;  // live processes only
  std::map<FileKey, std::vector<Holder>> files_;
  std::map<FileKey, std::string> paths_;
  std::map<int, std::vector<Holder>> sysv_shm_;
  std::map<FileKey, std::vector<Holder>> sockets_;  // device 0
};

// Reads a whole small file; false if it cannot be opened.
bool ReadSmallFile(const std::string& path, std::string* contents);

}  // namespace ipcbox::tool

#endif  // IPCBOX_TOOLS_IPCBOX_PROCESS_TABLE_H_
