// Helpers shared by the lib/pipe tests.

#ifndef IPCBOX_TESTS_PIPE_PIPE_TEST_UTIL_H_
#define IPCBOX_TESTS_PIPE_PIPE_TEST_UTIL_H_

#include <chrono>
#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"
#include "ipcbox/pipe/pipe_writer.h"

namespace ipcbox::testing {

// A deterministic, position-dependent byte pattern, so that a transfer that
// drops, repeats or reorders bytes cannot match it by accident.
inline char PatternByte(size_t i) {
  return static_cast<char>((i * 2654435761u) >> 13);
}

inline std::string Pattern(size_t size) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i) s[i] = PatternByte(i);
  return s;
}

// Index of the first byte of `got` that differs from the pattern at
// `offset`, or npos.
inline size_t FirstPatternMismatch(absl::string_view got, size_t offset) {
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i] != PatternByte(offset + i)) return i;
  }
  return absl::string_view::npos;
}

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

// Monotonic stopwatch (absl::Now() is the wall clock).
class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  std::chrono::milliseconds Elapsed() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start_);
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_PIPE_PIPE_TEST_UTIL_H_
