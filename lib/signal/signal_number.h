// signal_number.h
//
// Checks on signal numbers, made before any system call so that a bad number
// is a clear `absl::Status` rather than a bare EINVAL, and a readable name
// for messages.
//
// Example:
//
//   if (absl::Status s = CheckSignalNumber(signo); !s.ok()) return s;
//   // signal 65 is not a signal number: valid numbers are 1..64
//
// Linux numbers signals 1..64 (`SIGRTMAX`) on every architecture ipcbox
// builds for. Two of them, 32 and 33, are taken by the C library's thread
// implementation (NPTL cancellation and set*id broadcasts); glibc reports
// `SIGRTMIN` as 34 and refuses handlers for them. ipcbox treats them as not
// usable: sending one to another process would confuse its threads.
//
// Everything here is async-signal-safe on success (a few comparisons; an OK
// status does not allocate). Failures build a message and allocate.

#ifndef IPCBOX_SIGNAL_SIGNAL_NUMBER_H_
#define IPCBOX_SIGNAL_SIGNAL_NUMBER_H_

#include <string>

#include "absl/status/status.h"

namespace ipcbox {

// The highest signal number (glibc's `SIGRTMAX`, 64 on Linux).
int MaxSignalNumber();

// OK if `signo` can be sent, blocked or waited for: 1..SIGRTMAX and not one
// of the numbers the C library reserves. kInvalidArgument otherwise, with a
// message giving the valid range. 0 ("does the process exist?") is not a
// signal: see `ProcessExists()` in send_signal.h.
absl::Status CheckSignalNumber(int signo);

// As `CheckSignalNumber()`, and also refuses SIGKILL and SIGSTOP, whose
// action no process can change (kInvalidArgument, naming the signal).
absl::Status CheckHandleableSignal(int signo);

// "SIGTERM", "SIGRTMIN+3", or "signal 99" for a number that is not a
// signal. For messages: allocates.
std::string SignalName(int signo);

}  // namespace ipcbox

#endif  // IPCBOX_SIGNAL_SIGNAL_NUMBER_H_
