// tour_sysv_shm.h
//
// The tour's System V shared memory scenario: the Chinese summary's server
// and client in two processes, at a tenth of the seed's interval, the
// server's lines checked against what the seed prints, and the segment gone
// afterwards.
//
// Example (//examples:tour runs it from its list in tour.cc):
//
//   ipcbox::tour::Report report;  // prints each Line(), indented
//   absl::Status verified = ipcbox::examples::RunSysvShmTour(report);
//   // OK: the server's lines have the seed's shape; segment removed

#ifndef IPCBOX_EXAMPLES_SYSV_SHM_TOUR_SYSV_SHM_H_
#define IPCBOX_EXAMPLES_SYSV_SHM_TOUR_SYSV_SHM_H_

#include "absl/status/status.h"
#include "examples/tour/scenario.h"

namespace ipcbox::examples {

absl::Status RunSysvShmTour(tour::Report& report);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_SYSV_SHM_TOUR_SYSV_SHM_H_
