#include "ipcbox/socket/internal/open_socket.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
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
#include "ipcbox/core/wait_ready.h"
#include "ipcbox/socket/socket_address.h"
#include "ipcbox/socket/unix_path_owner.h"

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
                        settings.ipv6_only ? 1 : 0, "setsockopt(IPV6_V6ONLY)");
  }
  return absl::OkStatus();
}

// The outcome of a bind() made in a helper process: 0 or bind()'s errno,
// or, when the helper could not run, the call that failed and its errno.
struct HelperBind {
  int err = 0;
  const char* failed_call = nullptr;  // null: `err` is bind()'s own
};

// bind() to a Unix path with the file created at exactly `mode`: the umask
// makes the mode, in a forked helper that binds the same socket (the
// descriptor is shared), so this process's umask, shared with its other
// threads, never changes. Setting the mode afterwards instead would have to
// find the file again by its path, which someone else may have replaced in
// the meantime. The helper only calls async-signal-safe functions, so it is
// safe in a multithreaded process; its result comes back through a pipe,
// so a SIGCHLD handler that reaps it first does not lose the result.
HelperBind BindWithMode(int fd, const SocketAddress& address, mode_t mode) {
  int result_pipe[2];
  if (::pipe2(result_pipe, O_CLOEXEC) != 0) return {errno, "pipe2"};
  Fd read_end(result_pipe[0]);
  Fd write_end(result_pipe[1]);
  const pid_t pid = ::fork();
  if (pid < 0) return {errno, "fork"};
  if (pid == 0) {
    ::umask(~mode & 0777);
    const int err =
        ::bind(fd, address.sockaddr(), address.size()) == 0 ? 0 : errno;
    (void)!::write(write_end.get(), &err, sizeof(err));
    ::_exit(0);
  }
  write_end.reset();
  int err = 0;
  const ssize_t n =
      RetryOnEintr([&] { return ::read(read_end.get(), &err, sizeof(err)); });
  const int read_errno = errno;
  // Reap it; if a SIGCHLD handler of the program got there first, so be it.
  (void)RetryOnEintr([&] { return ::waitpid(pid, nullptr, 0); });
  if (n < 0) return {read_errno, "read (the bind helper's result)"};
  if (n != static_cast<ssize_t>(sizeof(err))) {
    return {ECHILD, "bind helper (it ended without a result)"};
  }
  return {err, nullptr};
}

absl::Status BindError(const HelperBind& bound, const SocketAddress& address) {
  return ErrnoError(bound.err,
                    bound.failed_call != nullptr ? bound.failed_call : "bind",
                    address.ToString());
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
    case EAGAIN:  // a live listener with a full backlog
    case EINPROGRESS:
    case EPROTOTYPE:  // a live socket of another type
      return PathState::kLive;
    case ENOENT:  // removed in the meantime
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
  return absl::Status(code,
                      absl::StrCat("bind(", QuoteForMessage(path), "): ", why));
}

absl::Status InUse(const SocketAddress& address, absl::string_view why) {
  return BindRefused(absl::StatusCode::kAlreadyExists, address.unix_name(),
                     why);
}

// After bind() failed with EADDRINUSE on a Unix path: removes the path if it
// is a stale socket file and binds again.
absl::Status ReplaceStalePath(int fd, int type, const SocketAddress& address,
                              mode_t mode) {
  const std::string path(address.unix_name());
  struct stat before;
  if (::lstat(path.c_str(), &before) != 0) {
    if (errno != ENOENT) return ErrnoError(errno, "lstat", path);
    // Gone meanwhile.
    const HelperBind bound = BindWithMode(fd, address, mode);
    return bound.err == 0 ? absl::OkStatus() : BindError(bound, address);
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
  const HelperBind bound = BindWithMode(fd, address, mode);
  if (bound.err == 0) return absl::OkStatus();
  if (bound.failed_call == nullptr && bound.err == EADDRINUSE) {
    return InUse(address,
                 "another socket took the path while a stale one was removed");
  }
  return BindError(bound, address);
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

void (*g_after_bind_for_test)(const char* path) = nullptr;

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
  if (!unix_path) {
    if (::bind(fd, address.sockaddr(), address.size()) != 0) {
      return ErrnoError(errno, "bind", address.ToString());
    }
    return UnixPathOwner();
  }
  const mode_t mode = settings.permissions.mode();
  const HelperBind bound = BindWithMode(fd, address, mode);
  if (bound.err != 0) {
    if (bound.failed_call != nullptr || bound.err != EADDRINUSE) {
      return BindError(bound, address);
    }
    if (!settings.replace_stale_path) {
      return InUse(address, "the path exists (stale paths are not replaced)");
    }
    if (absl::Status s = ReplaceStalePath(fd, type, address, mode); !s.ok()) {
      return s;
    }
  }
  if (g_after_bind_for_test != nullptr) {
    g_after_bind_for_test(std::string(address.unix_name()).c_str());
  }
  return UnixPathOwner::Claim(address.unix_name(), mode);
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
