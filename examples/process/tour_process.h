// The tour's subprocess-plumbing scenario: ALP's popen and dup2 ways of
// sorting a list through `sort`, its output captured and checked.
#ifndef IPCBOX_EXAMPLES_PROCESS_TOUR_PROCESS_H_
#define IPCBOX_EXAMPLES_PROCESS_TOUR_PROCESS_H_

#include "absl/status/status.h"
#include "examples/tour/scenario.h"

namespace ipcbox::examples {

absl::Status RunPopenTour(tour::Report& report);

}  // namespace ipcbox::examples

#endif  // IPCBOX_EXAMPLES_PROCESS_TOUR_PROCESS_H_
