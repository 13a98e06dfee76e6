#include "tools/ipcbox/verdict.h"

#include "absl/strings/str_cat.h"

namespace ipcbox::tool {

Verdict DecideVerdict(const IpcObject& o, std::string* reason) {
  if (o.kind == Kind::kChannel && o.channel.live_participants > 0) {
    uint32_t subscribers = 0;
    bool publisher = false;
    for (const ChannelParticipant& p : o.channel.participants) {
      if (!p.alive) continue;
      if (p.publisher) {
        publisher = true;
      } else {
        ++subscribers;
      }
    }
    *reason = absl::StrCat(publisher ? "publisher" : "no publisher", ", ",
                           subscribers, " live subscriber",
                           subscribers == 1 ? "" : "s");
    return Verdict::kInUse;
  }
  if (!o.holders.empty()) {
    const Holder& h = o.holders.front();
    *reason =
        absl::StrCat(h.how, " by pid ", h.pid,
                     h.comm.empty() ? "" : absl::StrCat(" (", h.comm, ")"),
                     o.holders.size() > 1
                         ? absl::StrCat(" and ", o.holders.size() - 1, " more")
                         : "");
    return Verdict::kInUse;
  }
  if (o.attach_count > 0) {
    *reason = absl::StrCat(o.attach_count,
                           " attachments (processes not visible here)");
    return Verdict::kInUse;
  }
  if (o.kind == Kind::kLock) {
    // The kernel drops a lock with the last descriptor of its open file
    // description, so a listed lock is held, maybe by a process in another
    // pid namespace or by a descriptor in flight.
    *reason = "held, but no holder visible in this /proc";
    return Verdict::kIdle;
  }
  if (o.kind == Kind::kChannel) {
    // No participant lock is held (above) and no process has it open or
    // mapped: nothing can be using it.
    if (!o.channel.problem.empty()) {
      // Not proven abandoned (its locks were not read): left for `rm`.
      *reason = absl::StrCat("unused, and ", o.channel.problem);
      return Verdict::kIdle;
    }
    *reason = "no live participant: publisher and subscribers gone";
    return Verdict::kStale;
  }
  if (o.orphaned) {
    *reason = "no socket is bound to this file";
    return Verdict::kStale;
  }
  if (o.creator_pid > 0) {
    if (o.creator_alive) {
      *reason = absl::StrCat("unused; creator pid ", o.creator_pid, " alive");
      return Verdict::kIdle;
    }
    *reason = absl::StrCat("unused; creator pid ", o.creator_pid, " (",
                           o.creator_source, ") dead");
    return Verdict::kStale;
  }
  *reason = "unused; no creator recorded";
  return Verdict::kIdle;
}

}  // namespace ipcbox::tool
