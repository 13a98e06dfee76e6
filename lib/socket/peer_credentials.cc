#include "ipcbox/socket/peer_credentials.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/socket/socket.h"

namespace ipcbox {

absl::StatusOr<PeerCredentials> GetPeerCredentials(const Socket& socket) {
  if (!socket.valid()) {
    return absl::FailedPreconditionError("GetPeerCredentials: socket not open");
  }
  if (socket.family() != AF_UNIX) {
    return absl::InvalidArgumentError(
        absl::StrCat("GetPeerCredentials(fd ", socket.fd().get(),
                     "): peer credentials exist for Unix sockets only"));
  }
  ucred cred = {};
  socklen_t size = sizeof(cred);
  if (::getsockopt(socket.fd().get(), SOL_SOCKET, SO_PEERCRED, &cred, &size) !=
      0) {
    return ErrnoError(errno, "getsockopt(SO_PEERCRED)", socket.fd().get());
  }
  PeerCredentials peer;
  peer.pid = cred.pid;
  peer.uid = cred.uid;
  peer.gid = cred.gid;
  return peer;
}

UidAllowList UidAllowList::SameUserOnly() {
  UidAllowList list;
  list.uids_[0] = ::geteuid();
  list.size_ = 1;
  return list;
}

absl::StatusOr<UidAllowList> UidAllowList::Of(absl::Span<const uid_t> uids) {
  if (uids.size() > kCapacity) {
    return absl::InvalidArgumentError(absl::StrCat(
        "UidAllowList: ", uids.size(), " uids; at most ", kCapacity));
  }
  UidAllowList list;
  for (uid_t uid : uids) list.uids_[list.size_++] = uid;
  return list;
}

bool UidAllowList::Allows(uid_t uid) const {
  for (size_t i = 0; i < size_; ++i) {
    if (uids_[i] == uid) return true;
  }
  return false;
}

absl::Status UidAllowList::Check(const PeerCredentials& peer) const {
  if (Allows(peer.uid)) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("peer uid ", peer.uid, " (pid ", peer.pid,
                   ") is not allowed to use this socket"));
}

}  // namespace ipcbox
