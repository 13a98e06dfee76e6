#include "ipcbox/fifo/record_stream.h"

#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "ipcbox/core/end_of_stream.h"

namespace ipcbox {

absl::StatusOr<uint64_t> ReadRecordStream(
    PipeReader& reader, size_t record_size, absl::Span<char> buf,
    absl::FunctionRef<void(absl::Span<const char>)> on_records) {
  if (record_size == 0 || buf.size() / 2 < record_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "ReadRecordStream: a buffer of ", buf.size(),
        " bytes cannot hold two records of ", record_size, " bytes"));
  }
  uint64_t records = 0;
  size_t carried = 0;  // the start of a record, moved to the front of buf
  for (;;) {
    absl::StatusOr<size_t> n = reader.Read(buf.subspan(carried));
    if (IsEndOfStream(n.status())) break;
    if (!n.ok()) return n.status();
    const size_t available = carried + *n;
    const size_t whole = available - available % record_size;
    if (whole > 0) {
      on_records(buf.subspan(0, whole));
      records += whole / record_size;
    }
    carried = available - whole;
    std::memmove(buf.data(), buf.data() + whole, carried);
  }
  if (carried != 0) {
    return absl::DataLossError(
        absl::StrCat("the stream ended ", carried, " of ", record_size,
                     " bytes into record ", records + 1, " after ", records,
                     " whole records: the writer stopped mid-record"));
  }
  return records;
}

}  // namespace ipcbox
