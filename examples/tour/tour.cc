// The ipcbox tour: every ported seed program runs between real processes,
// its outcome is checked against what the seed prints, and each mechanism
// gets a short report. Exits non-zero if any scenario could not be verified.
//
//   ./bazelw run //examples:tour
//   ./bazelw run //examples:tour -- --only=pipe
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "examples/channel/tour_channel.h"
#include "examples/common/program_flags.h"
#include "examples/fifo/tour_fifo.h"
#include "examples/message_queue/tour_message_queue.h"
#include "examples/pipe/tour_pipe.h"
#include "examples/process/tour_process.h"
#include "examples/shared_file/tour_shared_file.h"
#include "examples/shm/tour_shm.h"
#include "examples/signal/tour_signal.h"
#include "examples/socket/tour_socket.h"
#include "examples/socket_server/tour_socket_server.h"
#include "examples/sysv_shm/tour_sysv_shm.h"
#include "examples/tour/scenario.h"

ABSL_FLAG(std::string, only, "",
          "Run only the scenarios whose mechanism contains this text.");

namespace ipcbox::tour {
namespace {

constexpr Scenario kScenarios[] = {
    {"shared file + fcntl locks", "producer, consumer",
     &examples::RunSharedFileTour},
    {"shared memory + semaphore", "memwriter, memreader",
     &examples::RunSharedMemoryTour},
    {"System V shared memory", "the Chinese summary's shm server, client",
     &examples::RunSysvShmTour},
    {"unnamed pipe", "pipeUN", &examples::RunPipeTour},
    {"named pipe", "fifoWriter, fifoReader", &examples::RunFifoTour},
    {"named pipe chat", "the Chinese summary's FIFO chat",
     &examples::RunFifoChatTour},
    {"System V message queue", "sender, receiver",
     &examples::RunMessageQueueTour},
    {"popen and dup2", "ALP's popen through sort", &examples::RunPopenTour},
    {"TCP socket", "socket_server, socket_client", &examples::RunSocketTour},
    {"concurrent TCP server (epoll)", "the seed's server, made concurrent",
     &examples::RunConcurrentEchoServerTour},
    {"signals: graceful shutdown", "shutdown", &examples::RunShutdownTour},
    {"zero-copy channel", "none: a sensor, a busy and a slow subscriber",
     &examples::RunChannelTour},
};

bool RunOne(const Scenario& scenario) {
  std::printf("== %s (seed: %s)\n", scenario.mechanism, scenario.seed_programs);
  std::fflush(stdout);
  Report report;
  absl::Status status = scenario.run(report);
  if (status.ok()) {
    std::printf("   verified\n\n");
  } else {
    std::printf("   FAILED: %s\n\n", status.ToString().c_str());
  }
  return status.ok();
}

int RunTour(absl::string_view only) {
  int run = 0;
  int verified = 0;
  for (const Scenario& scenario : kScenarios) {
    if (!absl::StrContains(scenario.mechanism, only)) continue;
    ++run;
    if (RunOne(scenario)) ++verified;
  }
  std::printf("tour: %d of %d scenarios verified\n", verified, run);
  return run > 0 && verified == run ? 0 : 1;
}

}  // namespace
}  // namespace ipcbox::tour

int main(int argc, char** argv) {
  ipcbox::examples::ParseProgramFlags(
      argc, argv,
      "tour [--only=NAME]: runs every example scenario in one process and "
      "reports what each showed.");
  return ipcbox::tour::RunTour(absl::GetFlag(FLAGS_only));
}
