// Finds special files (FIFOs, sockets) under a list of directories: the
// kernel keeps no table of them, so `ls` looks where they usually live.
//
//   WalkFiles(root, {"/tmp", "/run"}, S_IFIFO,
//             [](const std::string& path, const struct stat& st) { ... });
#ifndef IPCBOX_TOOLS_IPCBOX_FILE_WALK_H_
#define IPCBOX_TOOLS_IPCBOX_FILE_WALK_H_

#include <sys/stat.h>

#include <functional>
#include <string>
#include <vector>

namespace ipcbox::tool {

// Calls `visit(path without root, st)` for every file of type `type`
// (S_IFIFO, S_IFSOCK) under `root` + each of `dirs`, at most four levels
// deep, without following symbolic links or leaving the directory's file
// system. Unreadable directories are skipped.
void WalkFiles(
    const std::string& root, const std::vector<std::string>& dirs, mode_t type,
    const std::function<void(const std::string&, const struct stat&)>& visit);

}  // namespace ipcbox::tool

#endif  // IPCBOX_TOOLS_IPCBOX_FILE_WALK_H_
