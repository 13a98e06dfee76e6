// tour_shm.h
//
// The tour's POSIX shared memory scenario: the seed's memwriter and
// memreader in two processes, the reader's output compared with the seed's,
// and nothing left in /dev/shm afterwards.
//
// Example (//examples:tour runs it from its list in tour.cc):
//
//   ipcbox::tour::Report report;  // prints each Line(), indented
//   absl::Status verified = ipcbox::examples::RunSharedMemoryTour(report);
//   // OK: memreader printed the seed's lines; /dev/shm is clean

#ifndef IPCBOX_EXAMPLES_SHM_TOUR_SHM_H_
#define IPCBOX_EXAMPLES_SHM_TOUR_SHM_H_

#include "absl/status/status.h"
#include "examples/tour/scenario.h"

namespace ipcbox::examples {

absl::Status RunSharedMemoryTour(tour::Report& report);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_SHM_TOUR_SHM_H_
