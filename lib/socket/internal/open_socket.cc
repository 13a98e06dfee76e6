#include "ipcbox/socket/internal/open_socket.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/fd.h"
#include "ipcbox/core/quote.h"
#include "ipcbox/core/retry.h"
#include "ipcbox/socket/internal/unix_path_owner.h"
#include "ipcbox/socket/internal/wait_ready.h"
#include "ipcbox/socket/socket_address.h"

namespace ipcbox {
namespace socket_internal {
namespace {

absl::Status SetIntOption(int fd, int level, int option, int value,
                          const char* name) {
  if (::setsockopt(fd, level, option, &value, sizeof(value)) != 0) {
    return ErrnoError(errno, name, fd);
  }
  return absl::OkStatus();
}

absl::Status ApplyIpOptions(int fd, const SocketAddress& address,
                            const BindSettings& settings) {
  if (settings.reuse_address) {
    absl::Status s = SetIntOption(fd, SOL_SOCKET, SO_REUSEADDR, 1,
                                  "setsockopt(SO_REUSEADDR)");
    if (!s.ok()) return s;
  }
  if (address.family() == AF_INET6) {
    return SetIntOption(fd, IPPROTO_IPV6, IPV6_V6ONLY,
                        settings.ipv6_only ? 1 : 0,
                        "setsockopt(IPV6_V6ONLY)");
  }
  return absl::OkStatus();
}

absl::Status BindOnce(int fd, const SocketAddress& address) {
  if (::bind(fd, address.sockaddr(), address.size()) != 0) {
    return ErrnoError(errno, "bind", address.ToString());
  }
  return absl::OkStatus();
}

// What connecting to a Unix path tells about whoever is bound there.
enum class PathState { kStale, kLive, kGone };

absl::StatusOr<PathState> ProbeUnixPath(const SocketAddress& address,
                                        int type) {
  absl::StatusOr<Fd> probe = NewSocket(AF_UNIX, type, /*nonblocking=*/true);
  if (!probe.ok()) return probe.status();
  if (::connect(probe->get(), address.sockaddr(), address.size()) == 0) {
    return PathState::kLive;
  }
  switch (errno) {
    case ECONNREFUSED:  // a socket file with no socket behind it
      return PathState::kStale;
    case EAGAIN:        // a live listener with a full backlog
    case EINPROGRESS:
    case EPROTOTYPE:    // a live socket of another type
      return PathState::kLive;
    case ENOENT:        // removed in the meantime
      return PathState::kGone;
    default:
      return ErrnoError(errno, "connect (probing for a stale socket)",
                        address.ToString());
  }
}

// Every refusal of a Unix path goes through here, out of line: each one
// written in place would repeat the quoting and concatenation.
absl::Status BindRefused(absl::StatusCode code, absl::string_view path,
                         absl::string_view why) {
  return absl::Status(
      code, absl::StrCat("bind(", QuoteForMessage(path), "): ", why));
}

absl::Status InUse(const SocketAddress& address, absl::string_view why) {
  return BindRefused(absl::StatusCode::kAlreadyExists, address.unix_name(),
                     why);
}

// After bind() failed with EADDRINUSE on a Unix path: removes the path if it
// is a stale socket file and binds again.
absl::Status ReplaceStalePath(int fd, int type, const SocketAddress& address) {
  const std::string path(address.unix_name());
  struct stat before;
  if (::lstat(path.c_str(), &before) != 0) {
    if (errno == ENOENT) return BindOnce(fd, address);  // gone meanwhile
    return ErrnoError(errno, "lstat", path);
  }
  if (!S_ISSOCK(before.st_mode)) {
    return BindRefused(absl::StatusCode::kFailedPrecondition, path,
                       "the path exists and is not a socket; it was left "
                       "alone");
  }
  absl::StatusOr<PathState> state = ProbeUnixPath(address, type);
  if (!state.ok()) return state.status();
  if (*state == PathState::kLive) {
    return InUse(address, "a live socket is bound there");
  }
  if (*state == PathState::kStale) {
    // Remove only the file we probed: if another server replaced it in the
    // meantime, its file is not ours to remove.
    struct stat now;
    if (::lstat(path.c_str(), &now) == 0 && now.st_dev == before.st_dev &&
        now.st_ino == before.st_ino && ::unlink(path.c_str()) != 0 &&
        errno != ENOENT) {
      return ErrnoError(errno, "unlink (stale socket)", path);
    }
  }
  if (::bind(fd, address.sockaddr(), address.size()) == 0) {
    return absl::OkStatus();
  }
  if (errno == EADDRINUSE) {
    return InUse(address,
                 "another socket took the path while a stale one was removed");
  }
  return ErrnoError(errno, "bind", address.ToString());
}

// bind() created the file with 0777 & ~umask; make it exactly what was
// asked for. The path is a name in a directory others may write, and it can
// be swapped for a symlink or another file between bind() and here; a mode
// set by path would then land on whatever the attacker chose. So the file
// is pinned first (O_PATH, not following a symlink), checked to be the very
// socket file bind() made, and the mode is set through that descriptor.
absl::Status ApplyUnixPermissions(const UnixPathOwner& owner,
                                  Permissions permissions) {
  const std::string& path = owner.path();
  const int pinned =
      ::open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (pinned < 0) return ErrnoError(errno, "open(O_PATH) to set the mode", path);
  Fd pinned_fd(pinned);
  struct stat st;
  if (::fstat(pinned, &st) != 0) return ErrnoError(errno, "fstat", path);
  if (S_ISLNK(st.st_mode)) {
    return BindRefused(absl::StatusCode::kFailedPrecondition, path,
                       "the socket file was replaced by a symlink before its "
                       "mode was set; refusing to follow it");
  }
  if (!S_ISSOCK(st.st_mode) || st.st_dev != owner.device() ||
      st.st_ino != owner.inode()) {
    return BindRefused(absl::StatusCode::kFailedPrecondition, path,
                       "the socket file was replaced by another file before "
                       "its mode was set; its mode was left alone");
  }
  // fchmod() refuses O_PATH descriptors; /proc/self/fd/N names the pinned
  // inode itself, whatever the path names by now.
  const std::string by_fd = absl::StrCat("/proc/self/fd/", pinned);
  if (::chmod(by_fd.c_str(), permissions.mode()) != 0) {
    if (errno == ENOENT) {
      return BindRefused(absl::StatusCode::kFailedPrecondition, path,
                         "cannot set the socket file's mode without following "
                         "its path again: /proc is not mounted");
    }
    return ErrnoError(errno, "chmod", path);
  }
  return absl::OkStatus();
}

absl::Status SocketError(int fd, const SocketAddress& address) {
  int error = 0;
  socklen_t size = sizeof(error);
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0) {
    return ErrnoError(errno, "getsockopt(SO_ERROR)", fd);
  }
  if (error != 0) return ErrnoError(error, "connect", address.ToString());
  return absl::OkStatus();
}

// TCP: a non-blocking connect, then poll() for the handshake by the
// deadline, then SO_ERROR for its outcome.
absl::Status ConnectInet(int fd, const SocketAddress& address,
                         const Deadline& deadline) {
  if (::connect(fd, address.sockaddr(), address.size()) == 0) {
    return absl::OkStatus();
  }
  if (errno != EINPROGRESS && errno != EINTR) {
    return ErrnoError(errno, "connect", address.ToString());
  }
  absl::Status ready = WaitReady(fd, POLLOUT, deadline);
  if (!ready.ok()) return ready;
  return SocketError(fd, address);
}

timeval SendTimeoutFor(absl::Duration d) {
  timeval tv = absl::ToTimeval(d);
  // A zero SO_SNDTIMEO means "no timeout": wait at least a microsecond.
  if (tv.tv_sec == 0 && tv.tv_usec == 0) tv.tv_usec = 1;
  return tv;
}

absl::Status SetSendTimeout(int fd, const timeval& tv) {
  if (::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0) {
    return ErrnoError(errno, "setsockopt(SO_SNDTIMEO)", fd);
  }
  return absl::OkStatus();
}

// Unix: connect() to a listener with a full backlog either fails at once
// (non-blocking: EAGAIN, and poll() cannot tell when room appears) or
// sleeps until there is room. SO_SNDTIMEO bounds that sleep, so a blocking
// connect with the time left as its timeout waits exactly as long as the
// caller allows and wakes as soon as the server accepts.
absl::Status ConnectUnix(int fd, const SocketAddress& address,
                         const Deadline& deadline) {
  const bool timed = !deadline.is_infinite();
  for (;;) {
    if (timed) {
      absl::Status s = SetSendTimeout(fd, SendTimeoutFor(deadline.Remaining()));
      if (!s.ok()) return s;
    }
    if (::connect(fd, address.sockaddr(), address.size()) == 0) break;
    const int err = errno;
    if (err == EINTR) continue;
    if (timed && (err == EAGAIN || err == EINPROGRESS)) {
      if (deadline.expired()) return TimedOutError();
      continue;
    }
    return ErrnoError(err, "connect", address.ToString());
  }
  // Later sends on the connection must not inherit the connect timeout.
  if (timed) return SetSendTimeout(fd, timeval{});
  return absl::OkStatus();
}

}  // namespace

void (*g_before_chmod_for_test)(const char* path) = nullptr;

absl::StatusOr<Fd> NewSocket(int family, int type, bool nonblocking) {
  const int flags = SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0);
  const int fd = ::socket(family, type | flags, 0);
  if (fd < 0) {
    return ErrnoError(errno, "socket",
                      absl::StrCat("family ", family, ", type ", type));
  }
  return Fd(fd);
}

absl::StatusOr<UnixPathOwner> BindSocket(int fd, int type,
                                         const SocketAddress& address,
                                         const BindSettings& settings) {
  if (address.empty()) {
    return absl::InvalidArgumentError("bind: empty address");
  }
  if (address.is_inet()) {
    if (absl::Status s = ApplyIpOptions(fd, address, settings); !s.ok()) {
      return s;
    }
  }
  const bool unix_path = address.is_unix() && !address.is_abstract();
  if (::bind(fd, address.sockaddr(), address.size()) != 0) {
    const int err = errno;
    if (!unix_path || err != EADDRINUSE) {
      return ErrnoError(err, "bind", address.ToString());
    }
    if (!settings.replace_stale_path) {
      return InUse(address, "the path exists (stale paths are not replaced)");
    }
    if (absl::Status s = ReplaceStalePath(fd, type, address); !s.ok()) {
      return s;
    }
  }
  if (!unix_path) return UnixPathOwner();
  absl::StatusOr<UnixPathOwner> owner =
      UnixPathOwner::Claim(address.unix_name());
  if (!owner.ok()) return owner.status();
  if (g_before_chmod_for_test != nullptr) {
    g_before_chmod_for_test(owner->path().c_str());
  }
  absl::Status chmod = ApplyUnixPermissions(*owner, settings.permissions);
  if (!chmod.ok()) return chmod;  // the owner removes the file
  return owner;
}

absl::StatusOr<Fd> ConnectNew(const SocketAddress& address, int type,
                              const Deadline& deadline, bool nonblocking) {
  if (address.empty()) {
    return absl::InvalidArgumentError("connect: empty address");
  }
  const bool inet = address.is_inet();
  absl::StatusOr<Fd> fd = NewSocket(address.family(), type, inet);
  if (!fd.ok()) return fd.status();
  absl::Status connected = inet ? ConnectInet(fd->get(), address, deadline)
                                : ConnectUnix(fd->get(), address, deadline);
  if (!connected.ok()) return connected;
  if (inet != nonblocking) {
    if (absl::Status s = SetFdNonBlocking(fd->get(), nonblocking); !s.ok()) {
      return s;
    }
  }
  return fd;
}

absl::Status SetFdNonBlocking(int fd, bool nonblocking) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return ErrnoError(errno, "fcntl(F_GETFL)", fd);
  const int wanted = nonblocking ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (wanted != flags && ::fcntl(fd, F_SETFL, wanted) < 0) {
    return ErrnoError(errno, "fcntl(F_SETFL)", fd);
  }
  return absl::OkStatus();
}

}  // namespace socket_internal
}  // namespace ipcbox
