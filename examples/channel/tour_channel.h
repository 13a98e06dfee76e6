// tour_channel.h
//
// The tour's zero-copy channel scenario: the sensor publisher and two
// subscribers (one busy, one slow) in three processes on a drop-oldest
// channel. It checks what the channel promises, not how fast it went:
// every sample is either received or counted as missed by each subscriber,
// the slow one misses samples and the busy one receives more, and nothing
// is left in /dev/shm.
//
// Example (//examples:tour runs it from its list in tour.cc):
//
//   ipcbox::tour::Report report;
//   absl::Status verified = ipcbox::examples::RunChannelTour(report);

#ifndef IPCBOX_EXAMPLES_CHANNEL_TOUR_CHANNEL_H_
#define IPCBOX_EXAMPLES_CHANNEL_TOUR_CHANNEL_H_

#include "absl/status/status.h"
#include "examples/tour/scenario.h"

namespace ipcbox::examples {

absl::Status RunChannelTour(tour::Report& report);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_CHANNEL_TOUR_CHANNEL_H_
