// tour_shared_file.h
//
// The tour's shared-file scenario: the seed's producer and consumer as
// separate processes around one data.dat in a scratch directory, plus the
// cases the seed's consumer cannot tell apart: an absent file, a file
// locked by a writer (and which one), an empty file.
//
// Example (//examples:tour runs it from its list in tour.cc):
//
//   ipcbox::tour::Report report;  // prints each Line(), indented
//   absl::Status verified = ipcbox::examples::RunSharedFileTour(report);
//   // OK: each case printed what it should, the lock by its pid

#ifndef IPCBOX_EXAMPLES_SHARED_FILE_TOUR_SHARED_FILE_H_
#define IPCBOX_EXAMPLES_SHARED_FILE_TOUR_SHARED_FILE_H_

#include "absl/status/status.h"
#include "examples/tour/scenario.h"

namespace ipcbox::examples {

absl::Status RunSharedFileTour(tour::Report& report);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_SHARED_FILE_TOUR_SHARED_FILE_H_
