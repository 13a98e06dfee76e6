// The tour's unnamed-pipe scenario: the seed's pipeUN, its echo captured and
// compared with what the parent wrote.
#ifndef IPCBOX_EXAMPLES_PIPE_TOUR_PIPE_H_
#define IPCBOX_EXAMPLES_PIPE_TOUR_PIPE_H_

#include "absl/status/status.h"
#include "examples/tour/scenario.h"

namespace ipcbox::examples {

absl::Status RunPipeTour(tour::Report& report);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_PIPE_TOUR_PIPE_H_
