// A footprint program (tools/footprint): the smallest use of one mechanism,
// measured, never run in CI. Its twin *_raw.cc does the same with system calls.
#include "ipcbox/mapped_file/mapped_file.h"

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  absl::StatusOr<ipcbox::MappedFile> file =
      ipcbox::MappedFile::Create(argv[1], 4096);
  if (!file.ok()) return 1;
  file->mutable_bytes()[0] = 1;
  return file->Sync().ok() ? 0 : 1;
}
