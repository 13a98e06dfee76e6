// tour_pipe.h
//
// The tour's unnamed-pipe scenario: the seed's pipeUN, its echo captured and
// compared with what the parent wrote.
//
// Example (//examples:tour runs it from its list in tour.cc):
//
//   ipcbox::tour::Report report;  // prints each Line(), indented
//   absl::Status verified = ipcbox::examples::RunPipeTour(report);
//   // OK: the child echoed what the parent wrote, and was reaped

#ifndef IPCBOX_EXAMPLES_PIPE_TOUR_PIPE_H_
#define IPCBOX_EXAMPLES_PIPE_TOUR_PIPE_H_

#include "absl/status/status.h"
#include "examples/tour/scenario.h"

namespace ipcbox::examples {

absl::Status RunPipeTour(tour::Report& report);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_PIPE_TOUR_PIPE_H_
