#include "ipcbox/socket_server/connection.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace ipcbox {

bool Connection::Write(absl::string_view data) {
  if (data.size() > output_.free_space()) return false;
  WriteSome(data);
  return true;
}

size_t Connection::WriteSome(absl::string_view data) {
  if (data.empty()) return 0;
  absl::Span<char> space = output_.Writable();
  const size_t n = std::min(space.size(), data.size());
  std::memcpy(space.data(), data.data(), n);
  output_.Commit(n);
  return n;
}

void Connection::CommitOutput(size_t n) {
  output_.Commit(std::min(n, output_.Writable().size()));
}

void Connection::Reset() {
  socket_ = StreamSocket();
  peer_ = SocketAddress();
  input_.Clear();
  output_.Clear();
  id_ = 0;
  ++generation_;
  open_ = false;
  peer_closed_ = false;
  close_requested_ = false;
  input_changed_ = false;
  reading_ = false;
  writing_ = false;
  received_some_ = false;
  sent_some_ = false;
}

}  // namespace ipcbox
