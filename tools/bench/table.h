// A text table whose columns are padded to line up in a terminal and whose
// syntax is a Markdown table, so a benchmark's output can be pasted into an
// issue or a README as it is.
//
//   ipcbox::bench::TextTable table({"case", "ratio"});
//   table.AddRow({"pipe round trip 64 B", "1.03"});
//   std::cout << table.Render();
//   // | case                 | ratio |
//   // |----------------------|-------|
//   // | pipe round trip 64 B | 1.03  |

#ifndef IPCBOX_TOOLS_BENCH_TABLE_H_
#define IPCBOX_TOOLS_BENCH_TABLE_H_

#include <string>
#include <vector>

namespace ipcbox::bench {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header);

  // A row shorter than the header is padded with empty cells; a longer one
  // is cut to the header's width.
  void AddRow(std::vector<std::string> cells);

  std::string Render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace ipcbox::bench

#endif  // IPCBOX_TOOLS_BENCH_TABLE_H_
