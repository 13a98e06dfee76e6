#include "ipcbox/core/ownership_check.h"

#include <unistd.h>

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "ipcbox/core/format_mode.h"
#include "ipcbox/core/quote.h"

namespace ipcbox {

absl::Status CheckOwnership(absl::string_view kind, absl::string_view name,
                            uid_t owner, mode_t mode,
                            std::optional<Permissions> widest,
                            const OwnershipPolicy& policy) {
  if (!policy.check) return absl::OkStatus();
  const uid_t me = ::geteuid();
  const bool owner_ok =
      owner == me || (policy.allowed_owner != static_cast<uid_t>(-1) &&
                      owner == policy.allowed_owner);
  const mode_t wider = widest.has_value() ? (mode & 0777) & ~widest->mode() : 0;
  if (owner_ok && wider == 0) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      kind, " ", QuoteForMessage(name), " already exists, owned by uid ", owner,
      " with mode ", FormatMode(mode & 0777), "; refusing to use it: ",
      owner_ok ? "its mode is wider than asked" : "someone else made it",
      " (this process is uid ", me,
      widest.has_value()
          ? absl::StrCat(" and asked for mode ", FormatMode(widest->mode()))
          : std::string(),
      "; opt out in the options' ownership policy only for a peer you "
      "trust)"));
}

}  // namespace ipcbox
