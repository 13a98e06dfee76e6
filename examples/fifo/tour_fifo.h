// tour_fifo.h
//
// The FIFO scenarios of the tour (//examples:tour). Each runs the ported
// programs' code in forked processes, in a fresh directory so that the
// seeds' relative paths ("./fifoChannel", "fifo") are used as they are,
// captures what they print and checks it against what the seeds print.
//
//   RunFifoTour:     fifo_writer | fifo_reader, the full 768000 ints with the
//                    seed's pauses; expects the article's own output,
//                    "Received ints: 768000, primes: 37682".
//   RunFifoChatTour: fifo_chat_server and fifo_chat_client; two lines typed
//                    into the client come out of the server, then the
//                    client's end of input ends both.
//
// Example (//examples:tour runs it from its list in tour.cc):
//
//   ipcbox::tour::Report report;  // prints each Line(), indented
//   absl::Status verified = ipcbox::examples::RunFifoTour(report);
//   // OK: "Received ints: 768000, primes: 37682", FIFO removed

#ifndef IPCBOX_EXAMPLES_FIFO_TOUR_FIFO_H_
#define IPCBOX_EXAMPLES_FIFO_TOUR_FIFO_H_

#include "absl/status/status.h"
#include "examples/tour/scenario.h"

namespace ipcbox::examples {

absl::Status RunFifoTour(tour::Report& report);
absl::Status RunFifoChatTour(tour::Report& report);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_FIFO_TOUR_FIFO_H_
