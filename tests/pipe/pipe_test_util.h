// Helpers shared by the lib/pipe tests.

#ifndef IPCBOX_TESTS_PIPE_PIPE_TEST_UTIL_H_
#define IPCBOX_TESTS_PIPE_PIPE_TEST_UTIL_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"
#include "ipcbox/pipe/pipe_writer.h"
#include "tests/support/pattern.h"
#include "tests/support/stopwatch.h"

namespace ipcbox::testing {

// Fills the pipe behind a non-blocking `writer` until it would block and
// returns how many bytes went in; 0 on an unexpected error.
inline size_t FillPipe(PipeWriter& writer) {
  const std::string chunk(4096, 'f');
  size_t total = 0;
  for (;;) {
    absl::StatusOr<size_t> n = writer.Write(chunk);
    if (!n.ok()) return IsWouldBlock(n.status()) ? total : 0;
    total += *n;
  }
}

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_PIPE_PIPE_TEST_UTIL_H_
