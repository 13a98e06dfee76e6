// peer_credentials.h
//
// Who is on the other end of a Unix socket: the pid, uid and gid the
// kernel recorded when the peer connected (SO_PEERCRED), or created the
// socket pair. The peer cannot forge them, which makes them the way for a
// local service to decide whom it serves. `UidAllowList` is that decision
// for the common case, "only these users".
//
// Example (a root daemon that serves only the "camera" user):
//
//   const UidAllowList allowed = UidAllowList::Of({camera_uid});
//   absl::StatusOr<StreamSocket> client = listener.Accept();
//   absl::StatusOr<PeerCredentials> who = GetPeerCredentials(*client);
//   if (!who.ok() || !allowed.Allows(who->uid)) {
//     (void)client->Close();  // refused
//     continue;
//   }
//
// The credentials are those at connect() time: a peer that passed its
// socket to another process, or changed its uid afterwards, still shows
// the original ones. The pid may have been reused if the peer has exited.
// Reading them is one getsockopt(): no allocation.

#ifndef IPCBOX_SOCKET_PEER_CREDENTIALS_H_
#define IPCBOX_SOCKET_PEER_CREDENTIALS_H_

#include <sys/types.h>

#include <cstddef>
#include <initializer_list>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "ipcbox/socket/socket.h"

namespace ipcbox {

struct PeerCredentials {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
};

// SO_PEERCRED of a connected Unix socket (stream or seqpacket, accepted,
// connected or from a socket pair). InvalidArgument for other families.
absl::StatusOr<PeerCredentials> GetPeerCredentials(const Socket& socket);

// A fixed set of uids allowed to talk to a server. Stored inline: checking
// never allocates. Root is not special: list 0 to allow it.
class UidAllowList {
 public:
  static constexpr size_t kCapacity = 16;

  // Only the effective uid of the calling process: "same user as me".
  static UidAllowList SameUserOnly();
  // Exactly these uids. More than `kCapacity` is InvalidArgument.
  static absl::StatusOr<UidAllowList> Of(absl::Span<const uid_t> uids);
  static absl::StatusOr<UidAllowList> Of(std::initializer_list<uid_t> uids) {
    return Of(absl::MakeConstSpan(uids.begin(), uids.size()));
  }

  bool Allows(uid_t uid) const;

  // OK if `peer.uid` is allowed, else PermissionDenied naming the uid and
  // pid (allocates: use `Allows()` where a refusal must be cheap).
  absl::Status Check(const PeerCredentials& peer) const;

 private:
  UidAllowList() = default;

  uid_t uids_[kCapacity] = {};
  size_t size_ = 0;
};

}  // namespace ipcbox

#endif  // IPCBOX_SOCKET_PEER_CREDENTIALS_H_
