// A footprint program (tools/footprint): the smallest use of one mechanism,
// measured, never run in CI. Its twin *_raw.cc does the same with system calls.
#include "ipcbox/socket_server/concurrent_server.h"
#include "ipcbox/socket_server/echo_handler.h"

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  absl::StatusOr<ipcbox::SocketAddress> address =
      ipcbox::SocketAddress::UnixPath(argv[1]);
  if (!address.ok()) return 1;
  absl::StatusOr<ipcbox::StreamListener> listener =
      ipcbox::StreamListener::Listen(*address);
  if (!listener.ok()) return 1;
  ipcbox::EchoHandler echo;
  auto server = ipcbox::ConcurrentServer::Create(*std::move(listener), echo);
  if (!server.ok()) return 1;
  return (*server)->Run().ok() ? 0 : 1;
}
