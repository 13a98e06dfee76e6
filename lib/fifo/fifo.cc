#include "ipcbox/fifo/fifo.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/core/open_mode.h"
#include "ipcbox/core/ownership_check.h"
#include "ipcbox/core/permissions.h"
#include "ipcbox/core/quote.h"
#include "ipcbox/fifo/internal/fifo_node.h"

namespace ipcbox {
namespace {

using fifo_internal::LstatFifo;
using fifo_internal::MakeFifo;
using fifo_internal::NodeId;
using fifo_internal::UnlinkIfSame;

// How often kOpenOrCreate goes round "mkfifo says it exists, lstat says it
// does not" (a peer removing the FIFO in between) before giving up.
constexpr int kMaxCreateRaces = 8;

// kPurgeAndCreate's first step: clear a stale FIFO, leave anything else.
absl::Status PurgeStaleFifo(const std::string& path) {
  absl::StatusOr<NodeId> stale = LstatFifo(path);
  if (absl::IsNotFound(stale.status())) return absl::OkStatus();
  if (!stale.ok()) return stale.status();
  return UnlinkIfSame(path, *stale);
}

// A FIFO found at the path (not made here): refuse one another user made,
// or one wider than `widest`, unless the caller opted out.
absl::Status CheckFoundFifo(const std::string& path, NodeId node,
                            std::optional<Permissions> widest,
                            const OwnershipPolicy& ownership) {
  if (!ownership.check) return absl::OkStatus();
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return ErrnoError(errno, "lstat", path);
  if (NodeId::Of(st) != node) {
    return absl::AbortedError(
        absl::StrCat("Fifo::Open(", QuoteForMessage(path),
                     "): the FIFO was replaced while it was checked"));
  }
  return CheckOwnership("FIFO", path, st.st_uid, st.st_mode, widest, ownership);
}

}  // namespace

absl::StatusOr<Fifo> Fifo::Open(absl::string_view path,
                                const FifoOptions& options) {
  const OpenMode mode = options.open_mode;
  const Permissions permissions = options.permissions;
  const OwnershipPolicy& ownership = options.ownership;
  if (absl::Status s = fifo_internal::CheckFifoPath(path); !s.ok()) return s;
  std::string owned_path(path);

  if (mode == OpenMode::kOpenExisting) {
    absl::StatusOr<NodeId> node = LstatFifo(owned_path);
    if (!node.ok()) return node.status();
    if (absl::Status s =
            CheckFoundFifo(owned_path, *node, std::nullopt, ownership);
        !s.ok()) {
      return s;
    }
    return Fifo(std::move(owned_path), node->device, node->inode,
                /*created=*/false);
  }
  if (RemovesExisting(mode)) {
    if (absl::Status s = PurgeStaleFifo(owned_path); !s.ok()) return s;
  }
  for (int attempt = 0; attempt < kMaxCreateRaces; ++attempt) {
    absl::StatusOr<NodeId> made = MakeFifo(owned_path, permissions);
    if (made.ok()) {
      return Fifo(std::move(owned_path), made->device, made->inode,
                  /*created=*/true);
    }
    // Only kOpenOrCreate accepts a FIFO that is already there.
    if (mode != OpenMode::kOpenOrCreate ||
        !absl::IsAlreadyExists(made.status())) {
      return made.status();
    }
    absl::StatusOr<NodeId> existing = LstatFifo(owned_path);
    if (existing.ok()) {
      if (absl::Status s =
              CheckFoundFifo(owned_path, *existing, permissions, ownership);
          !s.ok()) {
        return s;
      }
      return Fifo(std::move(owned_path), existing->device, existing->inode,
                  /*created=*/false);
    }
    if (!absl::IsNotFound(existing.status())) return existing.status();
  }
  return absl::AbortedError(
      absl::StrCat("Fifo::Open(", QuoteForMessage(path),
                   "): the path kept appearing and disappearing"));
}

absl::StatusOr<Fifo> Fifo::Create(absl::string_view path,
                                  Permissions permissions) {
  FifoOptions options;
  options.permissions = permissions;
  return Open(path, WithOpenMode(OpenMode::kCreateExclusive, options));
}

absl::StatusOr<Fifo> Fifo::OpenExisting(absl::string_view path) {
  return Open(path, WithOpenMode(OpenMode::kOpenExisting, FifoOptions()));
}

Fifo::Fifo(Fifo&& other) noexcept
    : path_(std::move(other.path_)),
      device_(other.device_),
      inode_(other.inode_),
      created_(std::exchange(other.created_, false)) {
  other.path_.clear();
}

Fifo& Fifo::operator=(Fifo&& other) noexcept {
  if (this != &other) {
    if (created_) Remove().IgnoreError();
    path_ = std::move(other.path_);
    other.path_.clear();
    device_ = other.device_;
    inode_ = other.inode_;
    created_ = std::exchange(other.created_, false);
  }
  return *this;
}

Fifo::~Fifo() {
  if (created_) Remove().IgnoreError();
}

absl::Status Fifo::Remove() {
  if (path_.empty()) return absl::OkStatus();
  absl::Status status = UnlinkIfSame(path_, NodeId{device_, inode_});
  Release();
  return status;
}

std::string Fifo::Release() {
  created_ = false;
  return std::exchange(path_, std::string());
}

}  // namespace ipcbox
