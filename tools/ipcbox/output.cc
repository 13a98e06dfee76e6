#include "tools/ipcbox/output.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tools/ipcbox/scan.h"

namespace ipcbox::tool {
namespace {

std::string Pid(pid_t pid, bool alive) {
  if (pid <= 0) return "-";
  return absl::StrCat(pid, alive ? "" : "(dead)");
}

std::string Mode(const IpcObject& o) {
  return o.mode_known ? absl::StrFormat("%04o", o.mode) : "-";
}

std::string Owner(const IpcObject& o, const std::string& root) {
  return o.uid_known ? OwnerName(root, o.uid) : "-";
}

// "pub 12 sub 13(backlog 2),14(dead)": a channel's participants.
std::string ChannelUsers(const ChannelState& c) {
  if (!c.problem.empty()) return "?";
  std::string out;
  std::vector<std::string> subscribers;
  for (const ChannelParticipant& p : c.participants) {
    std::string who = p.pid > 0 ? absl::StrCat(p.pid) : "?";
    if (!p.alive) {
      absl::StrAppend(&who, "(dead)");
    } else if (!p.publisher && p.backlog > 0) {
      absl::StrAppend(&who, "(backlog ", p.backlog, ")");
    }
    if (p.publisher) {
      out = p.alive ? absl::StrCat("pub ", who) : "pub -";
    } else {
      subscribers.push_back(who);
    }
  }
  absl::StrAppend(&out, " sub ",
                  subscribers.empty() ? "-" : absl::StrJoin(subscribers, ","));
  return out;
}

std::string Users(const IpcObject& o) {
  if (o.kind == Kind::kChannel) return ChannelUsers(o.channel);
  std::vector<std::string> pids;
  for (const Holder& h : o.holders) pids.push_back(absl::StrCat(h.pid));
  std::string count =
      o.attach_count >= 0 ? absl::StrCat("nattch=", o.attach_count) : "";
  if (pids.empty()) return count.empty() ? "-" : count;
  return absl::StrCat(count, count.empty() ? "" : " ",
                      absl::StrJoin(pids, ","));
}

std::string Name(const IpcObject& o) {
  return o.key.empty() ? o.name : absl::StrCat(o.name, " key=", o.key);
}

}  // namespace

std::string FormatTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      absl::StrAppend(&line, row[i]);
      if (i + 1 < row.size()) line.append(widths[i] - row[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string ObjectsTable(const std::vector<IpcObject>& objects,
                         const std::string& root) {
  std::vector<std::vector<std::string>> rows = {
      {"KIND", "NAME", "OWNER", "MODE", "SIZE", "CREATOR", "LAST", "USERS",
       "VERDICT", "IPCBOX"}};
  for (const IpcObject& o : objects) {
    rows.push_back({KindName(o.kind), Name(o), Owner(o, root), Mode(o), o.size,
                    Pid(o.creator_pid, o.creator_alive),
                    Pid(o.last_pid, o.last_alive), Users(o),
                    VerdictName(o.verdict), o.by_ipcbox ? "yes" : "-"});
  }
  return FormatTable(rows);
}

std::string ChannelJson(const ChannelState& c) {
  if (!c.problem.empty()) {
    return absl::StrCat("{\"problem\":", JsonString(c.problem), "}");
  }
  auto pid = [](pid_t p) {
    return p > 0 ? absl::StrCat(p) : std::string("null");
  };
  std::string publisher = "null";
  std::vector<std::string> subscribers;
  for (const ChannelParticipant& p : c.participants) {
    std::string common =
        absl::StrCat("\"pid\":", pid(p.pid), ",\"pid_source\":",
                     p.pid_source.empty() ? "null" : JsonString(p.pid_source),
                     ",\"alive\":", p.alive ? "true" : "false");
    if (p.publisher) {
      publisher = absl::StrCat("{", common, "}");
    } else {
      subscribers.push_back(absl::StrCat("{\"place\":", p.place, ",", common,
                                         ",\"backlog\":", p.backlog,
                                         ",\"missed\":", p.missed, "}"));
    }
  }
  return absl::StrCat("{\"problem\":null,\"slots\":", c.slot_count,
                      ",\"max_subscribers\":", c.max_subscribers,
                      ",\"max_payload\":", c.max_payload,
                      ",\"policy\":", JsonString(c.policy),
                      ",\"published\":", c.published,
                      ",\"publisher_epoch\":", c.publisher_epoch,
                      ",\"live_participants\":", c.live_participants,
                      ",\"publisher\":", publisher, ",\"subscribers\":[",
                      absl::StrJoin(subscribers, ","), "]}");
}

std::string ObjectJson(const IpcObject& o, const std::string& root) {
  std::vector<std::string> holders;
  for (const Holder& h : o.holders) {
    holders.push_back(absl::StrCat("{\"pid\":", h.pid,
                                   ",\"how\":", JsonString(h.how),
                                   ",\"comm\":", JsonString(h.comm), "}"));
  }
  auto pid = [](pid_t p) {
    return p > 0 ? absl::StrCat(p) : std::string("null");
  };
  return absl::StrCat(
      "{\"kind\":", JsonString(KindName(o.kind)),
      ",\"name\":", JsonString(o.name),
      ",\"key\":", o.key.empty() ? "null" : JsonString(o.key),
      ",\"detail\":", JsonString(o.detail),
      ",\"owner\":", o.uid_known ? JsonString(OwnerName(root, o.uid)) : "null",
      ",\"uid\":", o.uid_known ? absl::StrCat(o.uid) : "null",
      ",\"mode\":", o.mode_known ? JsonString(Mode(o)) : "null",
      ",\"size\":", JsonString(o.size), ",\"bytes\":", o.bytes,
      ",\"creator_pid\":", pid(o.creator_pid),
      ",\"creator_alive\":", o.creator_alive ? "true" : "false",
      ",\"creator_source\":", JsonString(o.creator_source),
      ",\"last_pid\":", pid(o.last_pid),
      ",\"last_alive\":", o.last_alive ? "true" : "false", ",\"attach_count\":",
      o.attach_count >= 0 ? absl::StrCat(o.attach_count) : "null",
      ",\"holders\":[", absl::StrJoin(holders, ","), "]",
      ",\"by_ipcbox\":", o.by_ipcbox ? "true" : "false",
      o.listener.empty()
          ? ""
          : absl::StrCat(",\"listener\":", JsonString(o.listener)),
      o.kind == Kind::kChannel
          ? absl::StrCat(",\"channel\":", ChannelJson(o.channel))
          : "",
      ",\"verdict\":", JsonString(VerdictName(o.verdict)),
      ",\"reason\":", JsonString(o.reason), "}");
}

std::string ObjectsJson(const std::vector<IpcObject>& objects,
                        const std::string& root) {
  std::string out = "{\"objects\":[\n";
  for (size_t i = 0; i < objects.size(); ++i) {
    absl::StrAppend(&out, ObjectJson(objects[i], root),
                    i + 1 < objects.size() ? ",\n" : "\n");
  }
  return out + "]}\n";
}

std::string ObjectDetails(const IpcObject& o, const std::string& root) {
  std::vector<std::vector<std::string>> rows = {
      {"kind", KindName(o.kind)},
      {"name", o.name},
  };
  if (!o.key.empty()) rows.push_back({"key", o.key});
  if (!o.detail.empty()) rows.push_back({"detail", o.detail});
  rows.push_back({"owner", Owner(o, root)});
  rows.push_back({"mode", Mode(o)});
  rows.push_back({"size", o.size});
  rows.push_back(
      {"creator",
       absl::StrCat(Pid(o.creator_pid, o.creator_alive),
                    o.creator_source.empty()
                        ? ""
                        : absl::StrCat(" (from ", o.creator_source, ")"))});
  rows.push_back({"last pid", Pid(o.last_pid, o.last_alive)});
  if (o.attach_count >= 0)
    rows.push_back({"attached", absl::StrCat(o.attach_count)});
  rows.push_back(
      {"made by ipcbox", o.by_ipcbox ? "yes (UniqueName pattern)" : "no"});
  rows.push_back(
      {"verdict", absl::StrCat(VerdictName(o.verdict), ": ", o.reason)});
  for (const Holder& h : o.holders) {
    rows.push_back({"held by", absl::StrCat("pid ", h.pid, " ", h.comm, " (",
                                            h.how, ")")});
  }
  if (o.holders.empty()) rows.push_back({"held by", "nobody visible"});
  if (!o.listener.empty()) rows.push_back({"listener", o.listener});
  if (o.kind == Kind::kChannel) {
    const ChannelState& c = o.channel;
    if (!c.problem.empty()) {
      rows.push_back({"problem", c.problem});
    } else {
      rows.push_back(
          {"geometry",
           absl::StrCat(c.slot_count, " slots of ", c.max_payload, " B, ",
                        c.max_subscribers, " subscriber places")});
      rows.push_back({"policy", c.policy});
      rows.push_back({"published",
                      absl::StrCat(c.published, " samples (", c.publisher_epoch,
                                   " publisher attaches)")});
    }
    for (const ChannelParticipant& p : c.participants) {
      std::string who =
          p.pid > 0
              ? absl::StrCat("pid ", p.pid,
                             p.pid_source == "record" ? " (recorded)" : "")
              : "pid not visible";
      if (p.publisher) {
        rows.push_back({"publisher", p.alive
                                         ? absl::StrCat("alive, ", who)
                                         : "none attached (closed or dead)"});
      } else {
        rows.push_back({absl::StrCat("subscriber ", p.place),
                        p.alive ? absl::StrCat("alive, ", who, ", backlog ",
                                               p.backlog, ", missed ", p.missed)
                                : absl::StrCat("dead, ", who,
                                               " (place reclaimed at the next "
                                               "publish or attach)")});
      }
    }
  }
  std::string out;
  for (auto& row : rows) row[0] += ":";
  return FormatTable(rows);
}

}  // namespace ipcbox::tool
