// Scaled() stretches a test's hang-detection bound (how long a test waits for
// a peer, a child or a transfer before calling it hung) by IPCBOX_TIME_SCALE,
// for runs where everything is slower than on a developer's machine: tests on
// an emulated board (tools/board/ci.sh sets 3), under a sanitizer, or on a
// loaded CI machine. The bound stays finite, so a real hang still fails.
//
//   // Was: Deadline::After(absl::Seconds(60)).
//   Deadline deadline =
//   Deadline::After(ipcbox::testing::Scaled(absl::Seconds(60)));
//
// Scale only bounds that detect hangs. A duration that is part of what is
// tested (a timeout the code under test must honour, a sleep that lets a
// peer block first) keeps its value: scaling it changes the test.
//
// IPCBOX_TIME_SCALE is a number from 1 to 100 (default 1). Anything else is
// a broken test setup: Scaled() then prints why and aborts the test, rather
// than guessing.

#ifndef IPCBOX_TESTS_SUPPORT_TIME_SCALE_H_
#define IPCBOX_TESTS_SUPPORT_TIME_SCALE_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ipcbox::testing {

// `bound` times IPCBOX_TIME_SCALE (read at each call, so a test can set it).
// An infinite duration stays infinite.
absl::Duration Scaled(absl::Duration bound);

// IPCBOX_TIME_SCALE's value, or 1 when it is unset or empty; aborts on a bad
// value as above.
double TimeScale();

// The parsing behind TimeScale(): `value` is the variable's text, nullptr
// when unset. InvalidArgument (naming the variable) for anything but a
// number from 1 to 100.
absl::StatusOr<double> ParseTimeScale(const char* value);

}  // namespace ipcbox::testing

#endif  // IPCBOX_TESTS_SUPPORT_TIME_SCALE_H_
