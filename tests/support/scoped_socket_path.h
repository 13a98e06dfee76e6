// A Unix socket path for a test: "/tmp/<prefix>.<pid>.<16 hex>", unique, and
// short enough for sun_path (Bazel's $TEST_TMPDIR is not). Whatever is
// there is removed when the guard goes away, so a test that fails midway
// leaves no socket file behind.
//
//   ScopedSocketPath path("echo");
//   absl::StatusOr<StreamListener> listener =
//       StreamListener::Listen(path.address());

#ifndef IPCBOX_TESTS_SUPPORT_SCOPED_SOCKET_PATH_H_
#define IPCBOX_TESTS_SUPPORT_SCOPED_SOCKET_PATH_H_

#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/socket/socket_address.h"

namespace ipcbox::testing {

class ScopedSocketPath {
 public:
  explicit ScopedSocketPath(absl::string_view prefix)
      : path_(absl::StrCat("/tmp", UniqueName(prefix))) {}
  ~ScopedSocketPath() { ::unlink(path_.c_str()); }
  ScopedSocketPath(const ScopedSocketPath&) = delete;
  ScopedSocketPath& operator=(const ScopedSocketPath&) = delete;

  const std::string& path() const { return path_; }
  SocketAddress address() const { return *SocketAddress::UnixPath(path_); }

 private:
  std::string path_;
};

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_SUPPORT_SCOPED_SOCKET_PATH_H_
