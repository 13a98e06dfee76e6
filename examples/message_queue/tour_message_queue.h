// tour_message_queue.h
//
// The tour's System V message queue scenario: the seed's sender and receiver
// (mqueue.h) run as two real processes, one after the other, on a queue
// found through ftok() of a scratch "queue.h"; the tour checks what each
// printed against the article, that the queue held the six messages between
// the two runs (IPC_STAT), and that the receiver removed it.
//
// Example (//examples:tour runs it from its list in tour.cc):
//
//   ipcbox::tour::Report report;  // prints each Line(), indented
//   absl::Status verified = ipcbox::examples::RunMessageQueueTour(report);
//   // OK: both printed the article's lines; the queue is gone

#ifndef IPCBOX_EXAMPLES_MESSAGE_QUEUE_TOUR_MESSAGE_QUEUE_H_
#define IPCBOX_EXAMPLES_MESSAGE_QUEUE_TOUR_MESSAGE_QUEUE_H_

#include "absl/status/status.h"
#include "examples/tour/scenario.h"

namespace ipcbox::examples {

absl::Status RunMessageQueueTour(tour::Report& report);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_MESSAGE_QUEUE_TOUR_MESSAGE_QUEUE_H_
