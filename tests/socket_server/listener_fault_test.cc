// ConcurrentServer when epoll_ctl on its listener fails (injected with
// tests/support:fault_injection): pausing or resuming accepting must end
// Run() with the error, not leave a server that silently accepts nobody.

#include <errno.h>
#include <sys/epoll.h>

#include <memory>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "ipcbox/core/errors.h"
#include "ipcbox/socket/stream_socket.h"
#include "ipcbox/socket_server/concurrent_server.h"
#include "ipcbox/socket_server/echo_handler.h"
#include "tests/socket_server/server_test_util.h"
#include "tests/support/fault_injection.h"

namespace ipcbox::testing {
namespace {

// Makes one accept() fail with EPERM (what a firewall hook can return):
// the server pauses accepting for 100 ms, then resumes. `skip` epoll_ctl
// MOD calls on the listener succeed before one fails.
absl::Status RunWithFailingListenerMod(int skip) {
  EchoHandler echo;
  std::unique_ptr<ConcurrentServer> server =
      MakeServer(echo, ConcurrentServerOptions());
  if (server == nullptr) return absl::InternalError("no server");
  const int listener_fd = server->listener().fd().get();
  Fault accept_fault;
  accept_fault.error = EPERM;
  accept_fault.fd = listener_fd;
  ScopedFault failing_accept(Syscall::kAccept4, accept_fault);
  Fault mod_fault;
  mod_fault.error = ENOMEM;
  mod_fault.fd = listener_fd;
  mod_fault.epoll_op = EPOLL_CTL_MOD;
  mod_fault.skip = skip;
  ScopedFault failing_mod(Syscall::kEpollCtl, mod_fault);

  absl::StatusOr<StreamSocket> client = Connect(AddressOf(*server));
  EXPECT_TRUE(client.ok()) << client.status();
  // Long enough for the pause (100 ms) and the resume, many times over.
  absl::Status run = server->RunFor(absl::Seconds(3));
  EXPECT_EQ(failing_accept.injected(), 1);
  EXPECT_EQ(failing_mod.injected(), 1);
  return run;
}

TEST(ConcurrentServerListenerFaultTest, AFailedResumeEndsRunWithTheError) {
  const absl::Status run = RunWithFailingListenerMod(/*skip=*/1);
  EXPECT_FALSE(IsTimedOut(run)) << "Run() went on without accepting";
  EXPECT_FALSE(run.ok());
  EXPECT_TRUE(absl::StrContains(run.message(), "resuming the listener")) << run;
}

TEST(ConcurrentServerListenerFaultTest, AFailedPauseEndsRunWithTheError) {
  const absl::Status run = RunWithFailingListenerMod(/*skip=*/0);
  EXPECT_FALSE(IsTimedOut(run)) << "Run() went on, spinning on the listener";
  EXPECT_FALSE(run.ok());
  EXPECT_TRUE(absl::StrContains(run.message(), "pausing the listener")) << run;
}

}  // namespace
}  // namespace ipcbox::testing
