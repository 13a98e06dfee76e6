// How `ipcbox` prints: an aligned table for people, one JSON document for
// scripts (`--json`). In the JSON of `ls`, each object is on a line of its
// own so that `grep` works on it too.
//
//   std::cout << FormatTable({{"KIND", "NAME"}, {"shm", "/a"}});
//   std::cout << ObjectsJson(objects, root);
#ifndef IPCBOX_TOOLS_IPCBOX_OUTPUT_H_
#define IPCBOX_TOOLS_IPCBOX_OUTPUT_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "tools/ipcbox/ipc_object.h"

namespace ipcbox::tool {

// Rows of cells, the first being the header, in columns two spaces apart;
// the last column is not padded, and no line ends in spaces.
std::string FormatTable(const std::vector<std::vector<std::string>>& rows);

// A JSON string literal: quotes, backslashes and control characters
// escaped, other bytes as they are.
std::string JsonString(absl::string_view text);

// `ls`: one row per object.
std::string ObjectsTable(const std::vector<IpcObject>& objects,
                         const std::string& root);
// {"objects":[...]}.
std::string ObjectsJson(const std::vector<IpcObject>& objects,
                        const std::string& root);
// One object as a JSON object (no trailing newline).
std::string ObjectJson(const IpcObject& object, const std::string& root);
// `show`: "field: value" lines, then one line per holder.
std::string ObjectDetails(const IpcObject& object, const std::string& root);

}  // namespace ipcbox::tool

#endif  // IPCBOX_TOOLS_IPCBOX_OUTPUT_H_
