// A product program built from the SDK archive alone (dist/check_sdk.sh):
// plain g++, pkg-config, no Bazel. It sends a message through a pipe and a
// stream socket pair and exits 0 only if both arrive intact; it prints the
// lock backend the SDK's headers select, which must be the archive's.
#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "ipcbox/file_lock/file_lock.h"
#include "ipcbox/pipe/pipe.h"
#include "ipcbox/socket/socket_pair.h"

int main() {
  const std::string message = "hello from the ipcbox SDK";
  char buf[64] = {};

  absl::StatusOr<ipcbox::Pipe> pipe = ipcbox::CreatePipe();
  if (!pipe.ok()) {
    std::fprintf(stderr, "CreatePipe: %s\n", pipe.status().ToString().c_str());
    return 1;
  }
  if (absl::Status s = pipe->writer.WriteAll(message); !s.ok()) {
    std::fprintf(stderr, "WriteAll: %s\n", s.ToString().c_str());
    return 1;
  }
  absl::StatusOr<size_t> n = pipe->reader.Read(absl::MakeSpan(buf));
  if (!n.ok() || std::string(buf, *n) != message) {
    std::fprintf(stderr, "pipe: wrong or no data\n");
    return 1;
  }

  auto pair = ipcbox::CreateStreamSocketPair();
  if (!pair.ok()) {
    std::fprintf(stderr, "socket pair: %s\n", pair.status().ToString().c_str());
    return 1;
  }
  if (absl::Status s = pair->first.SendAll(message); !s.ok()) {
    std::fprintf(stderr, "SendAll: %s\n", s.ToString().c_str());
    return 1;
  }
  char reply[sizeof(buf)] = {};
  absl::Span<char> want = absl::MakeSpan(reply, message.size());
  if (absl::Status s = pair->second.ReceiveFull(want);
      !s.ok() || std::string(reply, message.size()) != message) {
    std::fprintf(stderr, "socket pair: wrong or no data\n");
    return 1;
  }
  std::printf("ok: %s (lock backend %s)\n", message.c_str(),
              ipcbox::LockBackendName());
  return 0;
}
