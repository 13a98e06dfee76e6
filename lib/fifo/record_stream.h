// record_stream.h
//
// Reading a stream of fixed-size records (a FIFO or pipe of ints, say) to
// its end without mistaking a cut-off stream for a complete one. Reads
// arrive split anywhere; the reader reassembles whole records and hands
// them out in batches. A writer that dies mid-record leaves a trailing
// fragment: that is DataLoss, never a quiet end, and the message says how
// many records came whole and how far into the next one the stream stopped.
//
// Example:
//
//   char buf[4096 + sizeof(int32_t)];
//   absl::StatusOr<uint64_t> records = ReadRecordStream(
//       *reader, sizeof(int32_t), absl::MakeSpan(buf),
//       [&](absl::Span<const char> whole) { Count(whole); });
//   if (!records.ok()) return records.status();  // truncated, or an error
//
// No allocation except for an error's message.

#ifndef IPCBOX_FIFO_RECORD_STREAM_H_
#define IPCBOX_FIFO_RECORD_STREAM_H_

#include <cstddef>
#include <cstdint>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "ipcbox/pipe/pipe_reader.h"

namespace ipcbox {

// Reads `reader` until end-of-stream, calling `on_records` with each run of
// whole records (a multiple of `record_size` bytes, inside `buf`). Returns
// the number of records. `buf` must hold at least two records.
// kDataLoss if the stream ends part-way through a record; any read error
// as is; kInvalidArgument for a zero `record_size` or too small a `buf`.
absl::StatusOr<uint64_t> ReadRecordStream(
    PipeReader& reader, size_t record_size, absl::Span<char> buf,
    absl::FunctionRef<void(absl::Span<const char>)> on_records);

}  // namespace ipcbox

#endif  // IPCBOX_FIFO_RECORD_STREAM_H_
