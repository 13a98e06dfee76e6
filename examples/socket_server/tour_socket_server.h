// tour_socket_server.h
//
// The concurrent echo server's scenario in the tour (//examples:tour): the
// server runs in a forked process on a free loopback port; five client
// processes connect and all wait, connected at once, until a sixth client
// (the tour itself) is refused with the server's "busy" message; then each
// of the five echoes three messages and checks them; finally SIGTERM stops
// the server, which reports what it served.
//
// Example (//examples:tour runs it from its list in tour.cc):
//
//   ipcbox::tour::Report report;  // prints each Line(), indented
//   absl::Status verified =
//       ipcbox::examples::RunConcurrentEchoServerTour(report);
//   // OK: five clients served at once, the sixth refused "busy"

#ifndef IPCBOX_EXAMPLES_SOCKET_SERVER_TOUR_SOCKET_SERVER_H_
#define IPCBOX_EXAMPLES_SOCKET_SERVER_TOUR_SOCKET_SERVER_H_

#include "absl/status/status.h"
#include "examples/tour/scenario.h"

namespace ipcbox::examples {

absl::Status RunConcurrentEchoServerTour(tour::Report& report);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_SOCKET_SERVER_TOUR_SOCKET_SERVER_H_
