// tour_socket.h
//
// The tour's socket scenario: the seed's socket_server and socket_client,
// each in its own process, talking TCP over loopback; the outputs of both
// are compared with the article's.
//
// Example (//examples:tour runs it from its list in tour.cc):
//
//   ipcbox::tour::Report report;  // prints each Line(), indented
//   absl::Status verified = ipcbox::examples::RunSocketTour(report);
//   // OK: server and client printed the article's lines

#ifndef IPCBOX_EXAMPLES_SOCKET_TOUR_SOCKET_H_
#define IPCBOX_EXAMPLES_SOCKET_TOUR_SOCKET_H_

#include "absl/status/status.h"
#include "examples/tour/scenario.h"

namespace ipcbox::examples {

absl::Status RunSocketTour(tour::Report& report);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_SOCKET_TOUR_SOCKET_H_
