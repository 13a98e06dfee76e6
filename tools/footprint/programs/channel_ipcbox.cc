// A footprint program (tools/footprint): the smallest use of one mechanism,
// measured, never run in CI. Its twin *_raw.cc does the same with system calls.
#include <cstring>

#include "ipcbox/channel/publisher.h"

int main() {
  absl::StatusOr<ipcbox::PosixName> name = ipcbox::PosixName::Create("/fp");
  if (!name.ok()) return 1;
  absl::StatusOr<ipcbox::Publisher> publisher =
      ipcbox::Publisher::Create(*name, ipcbox::ChannelOptions());
  if (!publisher.ok()) return 1;
  absl::StatusOr<absl::Span<char>> slot = publisher->Loan();
  if (!slot.ok()) return 1;
  std::memcpy(slot->data(), "abc", 3);
  return publisher->Publish(3).ok() ? 0 : 1;
}
