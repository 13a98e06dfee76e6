// The kernel's own records of IPC objects, one function per source. Each
// appends what it finds to `out`, with the holders the process table knows;
// none decides a verdict (verdict.h does).
//
//   ProcessTable table = ProcessTable::Scan(root);
//   std::vector<IpcObject> objects;
//   ScanSysvShm(root, table, &objects);
//
// `root` prefixes every path ("" for the machine's own). Reading a value
// the kernel keeps only behind a system call (message counts of POSIX
// queues, semaphore values) is done only when `root` is empty.
#ifndef IPCBOX_TOOLS_IPCBOX_SOURCES_H_
#define IPCBOX_TOOLS_IPCBOX_SOURCES_H_

#include <sys/stat.h>

#include <string>
#include <vector>

#include "tools/ipcbox/ipc_object.h"
#include "tools/ipcbox/process_table.h"

namespace ipcbox::tool {

// What the file system says of an object that is a file (`st`, under
// `name`): owner, mode, bytes, the processes holding it, and its creator if
// the name is one ipcbox makes. The scanners add what is particular to
// `kind`.
IpcObject ObjectOfFile(Kind kind, const std::string& name,
                       const struct stat& st, const ProcessTable& table);

// /dev/shm: POSIX shared memory objects (every file but "sem.*").
void ScanPosixShm(const std::string& root, const ProcessTable& table,
                  std::vector<IpcObject>* out);
// /dev/shm/sem.*: POSIX named semaphores.
void ScanPosixSem(const std::string& root, const ProcessTable& table,
                  std::vector<IpcObject>* out);
// /dev/mqueue: POSIX message queues.
void ScanPosixMq(const std::string& root, const ProcessTable& table,
                 std::vector<IpcObject>* out);
// /dev/shm objects that are lib/channel channels, with their participants
// and backlogs (read-only: no lock, no subscriber place is taken).
void ScanChannels(const std::string& root, const ProcessTable& table,
                  std::vector<IpcObject>* out);
// /proc/sysvipc/{shm,sem,msg}.
void ScanSysvShm(const std::string& root, const ProcessTable& table,
                 std::vector<IpcObject>* out);
void ScanSysvSem(const std::string& root, const ProcessTable& table,
                 std::vector<IpcObject>* out);
void ScanSysvMsg(const std::string& root, const ProcessTable& table,
                 std::vector<IpcObject>* out);
// /proc/locks.
void ScanLocks(const std::string& root, const ProcessTable& table,
               std::vector<IpcObject>* out);
// Bound Unix sockets (/proc/net/unix, named and abstract) and socket files
// under `paths` that no socket is bound to.
void ScanSockets(const std::string& root, const std::vector<std::string>& paths,
                 const ProcessTable& table, std::vector<IpcObject>* out);
// Named pipes under `paths` (searched four directories deep, symbolic links
// not followed).
void ScanFifos(const std::string& root, const std::vector<std::string>& paths,
               const ProcessTable& table, std::vector<IpcObject>* out);

}  // namespace ipcbox::tool

#endif  // IPCBOX_TOOLS_IPCBOX_SOURCES_H_
