#include "tools/bench/table.h"

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace ipcbox::bench {
namespace {

void AppendRow(const std::vector<std::string>& cells,
               const std::vector<size_t>& widths, std::string& out) {
  out += '|';
  for (size_t i = 0; i < widths.size(); ++i) {
    out += ' ';
    out += cells[i];
    out.append(widths[i] - cells[i].size(), ' ');
    out += " |";
  }
  out += '\n';
}

}  // namespace

TextTable::TextTable(std::vector<std::string> header)
    : header_(std::move(header)) {}

void TextTable::AddRow(std::vector<std::string> cells) {
  cells.resize(header_.size());
  rows_.push_back(std::move(cells));
}

std::string TextTable::Render() const {
  // Widths count bytes: the cells are ASCII by the report's convention.
  std::vector<size_t> widths;
  for (const std::string& title : header_) widths.push_back(title.size());
  for (const auto& row : rows_) {
    for (size_t i = 0; i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  std::string out;
  AppendRow(header_, widths, out);
  out += '|';
  for (size_t width : widths) out += std::string(width + 2, '-') + '|';
  out += '\n';
  for (const auto& row : rows_) AppendRow(row, widths, out);
  return out;
}

}  // namespace ipcbox::bench
