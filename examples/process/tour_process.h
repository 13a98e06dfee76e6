// tour_process.h
//
// The tour's subprocess-plumbing scenario: ALP's popen and dup2 ways of
// sorting a list through `sort`, its output captured and checked.
//
// Example (//examples:tour runs it from its list in tour.cc):
//
//   ipcbox::tour::Report report;  // prints each Line(), indented
//   absl::Status verified = ipcbox::examples::RunPopenTour(report);
//   // OK: both ways printed the lines sorted; children reaped

#ifndef IPCBOX_EXAMPLES_PROCESS_TOUR_PROCESS_H_
#define IPCBOX_EXAMPLES_PROCESS_TOUR_PROCESS_H_

#include "absl/status/status.h"
#include "examples/tour/scenario.h"

namespace ipcbox::examples {

absl::Status RunPopenTour(tour::Report& report);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_PROCESS_TOUR_PROCESS_H_
