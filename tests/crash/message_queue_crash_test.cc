// The crash suite on sender and receiver (examples/message_queue, a System
// V queue): a receiver after a killed sender prints every message or says
// which it missed; a killed receiver's queue goes with its restart.

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>
#include <string>

#include "examples/message_queue/mqueue.h"
#include "gtest/gtest.h"
#include "tests/crash/crash_trial.h"
#include "tests/crash/kill_points.h"

namespace ipcbox::testing {
namespace {

Instance MessageQueue(const Place& place, CrashTrial::Which peer) {
  // ftok's file: the seed's queue.h, here one per trial (its own key).
  const std::string key_file = place.dir + "/queue.h";
  const int fd = ::open(key_file.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
  EXPECT_GE(fd, 0) << key_file;
  if (fd >= 0) ::close(fd);
  Instance in;
  in.products = {"queue.h"};
  in.trial.sequential = true;
  in.trial.first = [key_file](std::FILE* out, std::FILE* err) {
    examples::SenderConfig config;
    config.path = key_file;
    std::ostringstream o, e;
    const int code = examples::RunSender(config, o, e);
    std::fputs(o.str().c_str(), out);
    std::fputs(e.str().c_str(), err);
    return code;
  };
  auto receiver = [key_file](std::FILE* out, std::FILE* err) {
    examples::ReceiverConfig config;
    config.path = key_file;
    std::ostringstream o, e;
    const int code = examples::RunReceiver(config, o, e);
    std::fputs(o.str().c_str(), out);
    std::fputs(e.str().c_str(), err);
    return code;
  };
  in.trial.second = receiver;
  in.trial.peer = peer;
  if (peer == CrashTrial::kSecond) {
    // The queue is the receiver's to remove: its next run takes what is
    // left and removes it.
    in.restart = [receiver] { RunQuietly(receiver); };
  }
  return in;
}

TEST(CrashTest, MessageQueueSenderKilled) {
  RunKillPoints("sender killed, receiver runs after it", [](const Place& p) {
    return MessageQueue(p, CrashTrial::kFirst);
  });
}

TEST(CrashTest, MessageQueueReceiverKilled) {
  RunKillPoints("receiver killed after the sender", [](const Place& p) {
    return MessageQueue(p, CrashTrial::kSecond);
  });
}

}  // namespace
}  // namespace ipcbox::testing
