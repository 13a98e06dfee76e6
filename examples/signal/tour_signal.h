// tour_signal.h
//
// The tour's signals scenario: the seed's graceful shutdown with short
// sleeps, its output captured and checked line by line against the seed's.
//
// Example (//examples:tour runs it from its list in tour.cc):
//
//   ipcbox::tour::Report report;  // prints each Line(), indented
//   absl::Status verified = ipcbox::examples::RunShutdownTour(report);
//   // OK: the child's transcript is the seed's, line for line

#ifndef IPCBOX_EXAMPLES_SIGNAL_TOUR_SIGNAL_H_
#define IPCBOX_EXAMPLES_SIGNAL_TOUR_SIGNAL_H_

#include "absl/status/status.h"
#include "examples/tour/scenario.h"

namespace ipcbox::examples {

absl::Status RunShutdownTour(tour::Report& report);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_SIGNAL_TOUR_SIGNAL_H_
