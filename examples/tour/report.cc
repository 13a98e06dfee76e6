#include <cstdio>

#include "examples/tour/scenario.h"

namespace ipcbox::tour {

void Report::Line(absl::string_view text) {
  std::printf("    %.*s\n", static_cast<int>(text.size()), text.data());
  std::fflush(stdout);
}

}  // namespace ipcbox::tour
