// A footprint program (tools/footprint): the smallest use of one mechanism,
// measured, never run in CI. Its twin *_raw.cc does the same with system calls.
#include "ipcbox/shared_file/shared_file_writer.h"

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  absl::StatusOr<ipcbox::SharedFileWriter> writer =
      ipcbox::SharedFileWriter::Open(argv[1]);
  if (!writer.ok()) return 1;
  return writer->Write({"abc\n"}).ok() ? 0 : 1;
}
