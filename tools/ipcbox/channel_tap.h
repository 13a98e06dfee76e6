// `ipcbox channel echo` and `ipcbox channel hz`: attach to a channel as an
// ordinary subscriber (taking one of its places, given back on exit) and
// print what passes: each sample (sequence, size, a hex and text preview),
// or the publish rate per window.
//
//   TapOptions options;
//   options.name = "/sensor";
//   options.count = 10;  // samples (echo) or windows (hz); 0: no bound
//   return RunEcho(options, std::cout, std::cerr);
//
// Both stop at --count, at --duration, at SIGINT or SIGTERM (exit 0: as
// asked), or when the publisher is gone or the channel fails (exit 1).
// Samples are released as soon as they are printed, so a watcher slows a
// kBlockPublisher channel no more than any subscriber that keeps up.
#ifndef IPCBOX_TOOLS_IPCBOX_CHANNEL_TAP_H_
#define IPCBOX_TOOLS_IPCBOX_CHANNEL_TAP_H_

#include <cstdint>
#include <ostream>
#include <string>

#include "absl/time/time.h"

namespace ipcbox::tool {

struct TapOptions {
  std::string name;    // "/name" of the channel
  uint64_t count = 0;  // 0: no bound
  absl::Duration duration = absl::InfiniteDuration();
  absl::Duration window = absl::Seconds(1);  // hz
  uint32_t preview_bytes = 16;               // echo
  bool json = false;
};

// Exit statuses: 0 stopped as asked, 1 the channel stopped it (or could
// not be attached).
int RunEcho(const TapOptions& options, std::ostream& out, std::ostream& err);
int RunHz(const TapOptions& options, std::ostream& out, std::ostream& err);

}  // namespace ipcbox::tool

#endif  // IPCBOX_TOOLS_IPCBOX_CHANNEL_TAP_H_
