// scenario.h
//
// A tour scenario runs one ported seed program (or pair) between real
// processes, checks that what happened is what the seed prints, and reports
// it in a few lines. //examples:tour runs every scenario in turn.
//
//   absl::Status RunPipeTour(ipcbox::tour::Report& report) {
//     ...fork, run the example's code, capture its output...
//     report.Line(absl::StrCat("child echoed: ", echoed));
//     if (echoed != kMessage) return absl::InternalError("echo differs");
//     return absl::OkStatus();
//   }

#ifndef IPCBOX_EXAMPLES_TOUR_SCENARIO_H_
#define IPCBOX_EXAMPLES_TOUR_SCENARIO_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ipcbox::tour {

// Where a scenario says what it observed; indented under its heading.
class Report {
 public:
  void Line(absl::string_view text);
};

// One entry of the tour.
struct Scenario {
  const char* mechanism;      // "unnamed pipe"
  const char* seed_programs;  // "pipeUN"
  absl::Status (*run)(Report& report);
};

}  // namespace ipcbox::tour

#endif  // IPCBOX_EXAMPLES_TOUR_SCENARIO_H_
