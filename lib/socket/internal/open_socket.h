// open_socket.h
//
// Internal to lib/socket: creating, binding and connecting descriptors, for
// the factories of the public socket types.
//
// Example (what `DatagramSocket::Bind()` does):
//
//   absl::StatusOr<Fd> fd = NewSocket(AF_UNIX, SOCK_DGRAM, false);
//   if (!fd.ok()) return fd.status();
//   absl::StatusOr<UnixPathOwner> owner =
//       BindSocket(fd->get(), SOCK_DGRAM, address, BindSettings());
//   // The socket object keeps both; the owner removes the file it made.

#ifndef IPCBOX_SOCKET_INTERNAL_OPEN_SOCKET_H_
#define IPCBOX_SOCKET_INTERNAL_OPEN_SOCKET_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/socket/socket_address.h"
#include "ipcbox/socket/unix_path_owner.h"

namespace ipcbox {
namespace socket_internal {

struct BindSettings {
  bool reuse_address = false;      // SO_REUSEADDR (IP only)
  bool ipv6_only = true;           // IPV6_V6ONLY (IPv6 only)
  Permissions permissions;         // of a Unix socket file
  bool replace_stale_path = true;  // see `BindSocket()`
};

// Test-only: when set, called with the socket's path right after bind()
// made the file at it, so a test can swap the path for a symlink or another
// socket there. Never set outside tests.
extern void (*g_after_bind_for_test)(const char* path);

// socket(family, type | SOCK_CLOEXEC [| SOCK_NONBLOCK]).
absl::StatusOr<Fd> NewSocket(int family, int type, bool nonblocking);

// Applies `settings` and binds `fd` (a socket of `type`) to `address`.
// For a Unix filesystem path, returns the owner of the file bind() created,
// with `settings.permissions` applied; otherwise an empty owner.
//
// A path that is already taken is replaced only when it is a stale socket
// file: a socket that nobody is bound to any more (connecting to it is
// refused), left by a server that died. Anything else there is left alone
// and reported: a live socket (AlreadyExists), a regular file, directory or
// anything not a socket (FailedPrecondition), or a socket we cannot probe
// (the connect error). With `replace_stale_path` false, any existing path
// is AlreadyExists. Caveat: a stream socket that is bound but not yet
// listening refuses connections too, so a server caught between its bind()
// and listen() looks stale; ipcbox's listeners listen right after binding.
//
// The socket file is created with exactly `settings.permissions`: bind()
// runs in a forked helper whose umask makes that mode (the umask is per
// process; this process's is never changed), so no mode is set afterwards
// by a path that someone may have swapped meanwhile. If what the path names
// right after bind() is not a socket of this user with that mode (a
// symlink, another file, another user's socket), that is
// FailedPrecondition and nothing there is changed. In a directory that
// others can write and that lacks the sticky bit, anyone can replace the
// socket's name at any time; bind in a directory only you can write, or a
// sticky one such as /tmp.
absl::StatusOr<UnixPathOwner> BindSocket(int fd, int type,
                                         const SocketAddress& address,
                                         const BindSettings& settings);

// A new socket of `type` connected to `address` by `deadline`, in blocking
// mode unless `nonblocking`. `TimedOutError()` if the deadline passed first:
// a TCP handshake not done, or a Unix listener's backlog still full.
absl::StatusOr<Fd> ConnectNew(const SocketAddress& address, int type,
                              const Deadline& deadline, bool nonblocking);

// Sets or clears O_NONBLOCK.
absl::Status SetFdNonBlocking(int fd, bool nonblocking);

}  // namespace socket_internal
}  // namespace ipcbox

#endif  // IPCBOX_SOCKET_INTERNAL_OPEN_SOCKET_H_
