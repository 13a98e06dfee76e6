// Pipe benchmarks: ipcbox's lib/pipe (CreatePipe, PipeWriter::WriteAll,
// PipeReader::ReadFull and Read) against write(2) and read(2) on pipe2()
// descriptors, in the same run. This is the pattern the other mechanisms'
// benchmarks follow: one struct per case holding the state both variants
// share, with a Raw() and an Ipcbox() that return the harness's Variants.
//
//   ./bazelw run -c opt //tools/bench:pipe_bench
//   ./bazelw run -c opt //tools/bench:pipe_bench -- --filter=round
//   --layouts=same
//
// Cases:
//   - write+read 64 B, one process: a 64-byte write into a pipe and the
//     read that takes it out again, in the same thread. No wake-ups, no
//     context switches: what ipcbox costs per call, and the case to count
//     instructions on (see below);
//   - round trip 64 B: the parent writes 64 bytes to the peer over one pipe,
//     the peer writes them back over another; one operation is one round
//     trip (two wake-ups);
//   - throughput 64 KiB writes: the parent streams 64 KiB writes (the
//     default pipe capacity) into one pipe, the peer drains it with a 64 KiB
//     buffer; 32 MiB per repetition by default.
// Both sides are written as a user would write them: the raw side loops on
// partial writes and reads and retries EINTR; the ipcbox side calls
// WriteAll, ReadFull for fixed-size messages, and Read for the stream.
//
// The ipcbox side holds a ScopedSigpipeBlock per batch, the documented way
// to write in a loop, so each WriteAll is a bare write(2). The rows "guard
// per write" hold none: each write then blocks and unblocks SIGPIPE (two
// pthread_sigmask calls, see scoped_sigpipe_block.h), which raw code that
// leaves SIGPIPE alone does not do. On one vCPU that shows; on two, the
// ~30 us cross-vCPU wake-up hides it.
//
// Counting user-space instructions per operation (tools/bench/README.md):
//
//   ./bazelw build -c opt //tools/bench:pipe_bench
//   valgrind --tool=callgrind --collect-atstart=no
//       --toggle-collect='ipcbox::bench::internal::*'
//       bazel-bin/tools/bench/pipe_bench --repetitions=1
//       --filter='one process'                             (one command line)
//   callgrind_annotate --inclusive=yes callgrind.out.<pid> | grep 'internal::'
//
// Instructions per operation = inclusive Ir of RawBatch (IpcboxBatch) / the
// timed op count that stderr prints. The same with --filter='round trip'
// gives the parent's side (RawBatch) and, in the peer's file, the echo side
// (RawPeer / IpcboxPeer, divided by timed + warm-up ops).
//
// Measured (x86_64, -c opt, gcc 12, static glibc; tools/bench/parity.sh):
// a 64 B write+read is 109 user-space instructions raw (a loop on partial
// writes) and 47 through WriteAll + ReadFull under a held scope; it was 553
// when every write guarded itself, 159 of them ScopedSigpipeBlock's.

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ipcbox/pipe/pipe.h"
#include "ipcbox/pipe/pipe_reader.h"
#include "ipcbox/pipe/pipe_writer.h"
#include "ipcbox/pipe/scoped_sigpipe_block.h"
#include "tools/bench/harness.h"
#include "tools/bench/raw_io.h"
#include "tools/bench/sigpipe_scope.h"

namespace ipcbox::bench {
namespace {

constexpr size_t kMessageSize = 64;
constexpr size_t kStreamChunk = 64 << 10;  // the default pipe capacity

// ---------------------------------------------------------------- raw side

// One pipe as two raw descriptors; [0] reads, [1] writes.
struct RawPipe {
  int fds[2] = {-1, -1};

  absl::Status Open() {
    if (::pipe2(fds, O_CLOEXEC) != 0)
      return absl::ErrnoToStatus(errno, "pipe2");
    return absl::OkStatus();
  }
  int reader() const { return fds[0]; }
  int writer() const { return fds[1]; }
  void CloseReader() { Close(fds[0]); }
  void CloseWriter() { Close(fds[1]); }
  void CloseBoth() {
    CloseReader();
    CloseWriter();
  }

 private:
  static void Close(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

// ------------------------------------------------------------- ipcbox side

absl::Status Open(Pipe& pipe) {
  absl::StatusOr<Pipe> created = CreatePipe();
  if (!created.ok()) return created.status();
  pipe = *std::move(created);
  return absl::OkStatus();
}

void CloseBoth(Pipe& pipe) {
  pipe.reader = PipeReader();
  pipe.writer = PipeWriter();
}

absl::Status Drain(PipeReader& reader, absl::Span<char> buf, uint64_t bytes) {
  while (bytes > 0) {
    absl::StatusOr<size_t> n = reader.Read(buf);
    if (!n.ok()) return n.status();
    bytes -= *n;
  }
  return absl::OkStatus();
}

// -------------------------------------------------------------- the cases

// 64 bytes into a pipe and out again, in one thread.
struct WriteReadOneProcess {
  RawPipe raw;
  Pipe lib;

  Variant Raw() {
    Variant v;
    v.name = "raw";
    v.setup = [this] { return raw.Open(); };
    v.run = [this](int64_t ops) {
      char buf[kMessageSize] = {};
      return Repeat(ops, [&] {
        if (absl::Status s = RawWriteAll(raw.writer(), buf, kMessageSize);
            !s.ok())
          return s;
        return RawReadFull(raw.reader(), buf, kMessageSize);
      });
    };
    v.teardown = [this] { raw.CloseBoth(); };
    return v;
  }

  Variant Ipcbox() {
    Variant v;
    v.name = "ipcbox";
    v.setup = [this] { return Open(lib); };
    v.run = [this](int64_t ops) {
      // SIGPIPE guarded once per batch: each write is a bare write(2).
      const HeldSigpipeScope sigpipe(hold_sigpipe_scope);
      char buf[kMessageSize] = {};
      return Repeat(ops, [&] {
        if (absl::Status s =
                lib.writer.WriteAll(absl::string_view(buf, kMessageSize));
            !s.ok())
          return s;
        return lib.reader.ReadFull(absl::MakeSpan(buf));
      });
    };
    v.teardown = [this] { CloseBoth(lib); };
    return v;
  }
};

// 64 bytes to the peer over one pipe, echoed back over another. The peer
// closes the parent's ends it inherited; the parent keeps the peer's ends
// open until teardown (the harness has no after-fork hook for the parent),
// which changes nothing while both processes run.
struct RoundTrip {
  RawPipe raw_to_peer;
  RawPipe raw_to_parent;
  Pipe to_peer;
  Pipe to_parent;

  Variant Raw() {
    Variant v;
    v.name = "raw";
    v.setup = [this] {
      if (absl::Status s = raw_to_peer.Open(); !s.ok()) return s;
      return raw_to_parent.Open();
    };
    v.peer_setup = [this] {
      raw_to_peer.CloseWriter();
      raw_to_parent.CloseReader();
      return absl::OkStatus();
    };
    v.peer = [this](int64_t ops) {
      char buf[kMessageSize];
      return Repeat(ops, [&] {
        if (absl::Status s =
                RawReadFull(raw_to_peer.reader(), buf, kMessageSize);
            !s.ok())
          return s;
        return RawWriteAll(raw_to_parent.writer(), buf, kMessageSize);
      });
    };
    v.run = [this](int64_t ops) {
      char buf[kMessageSize] = {};
      return Repeat(ops, [&] {
        if (absl::Status s =
                RawWriteAll(raw_to_peer.writer(), buf, kMessageSize);
            !s.ok())
          return s;
        return RawReadFull(raw_to_parent.reader(), buf, kMessageSize);
      });
    };
    v.teardown = [this] {
      raw_to_peer.CloseBoth();
      raw_to_parent.CloseBoth();
    };
    return v;
  }

  Variant Ipcbox() {
    Variant v;
    v.name = "ipcbox";
    v.setup = [this] {
      if (absl::Status s = Open(to_peer); !s.ok()) return s;
      return Open(to_parent);
    };
    v.peer_setup = [this] {
      to_peer.writer = PipeWriter();
      to_parent.reader = PipeReader();
      return absl::OkStatus();
    };
    v.peer = [this](int64_t ops) {
      // SIGPIPE guarded once per batch: each write is a bare write(2).
      const HeldSigpipeScope sigpipe(hold_sigpipe_scope);
      char buf[kMessageSize];
      return Repeat(ops, [&] {
        if (absl::Status s = to_peer.reader.ReadFull(absl::MakeSpan(buf));
            !s.ok())
          return s;
        return to_parent.writer.WriteAll(absl::string_view(buf, kMessageSize));
      });
    };
    v.run = [this](int64_t ops) {
      // SIGPIPE guarded once per batch: each write is a bare write(2).
      const HeldSigpipeScope sigpipe(hold_sigpipe_scope);
      char buf[kMessageSize] = {};
      return Repeat(ops, [&] {
        if (absl::Status s =
                to_peer.writer.WriteAll(absl::string_view(buf, kMessageSize));
            !s.ok())
          return s;
        return to_parent.reader.ReadFull(absl::MakeSpan(buf));
      });
    };
    v.teardown = [this] {
      CloseBoth(to_peer);
      CloseBoth(to_parent);
    };
    return v;
  }
};

// The parent streams `ops` writes of kStreamChunk bytes; the peer reads them
// all. The buffers are allocated once, before any fork, so that no
// repetition times an allocation.
struct Throughput {
  RawPipe raw;
  Pipe lib;
  std::vector<char> data = std::vector<char>(kStreamChunk, 'p');
  std::vector<char> sink = std::vector<char>(kStreamChunk);

  uint64_t Bytes(int64_t ops) const {
    return static_cast<uint64_t>(ops) * kStreamChunk;
  }

  Variant Raw() {
    Variant v;
    v.name = "raw";
    v.setup = [this] { return raw.Open(); };
    v.peer_setup = [this] {
      raw.CloseWriter();
      return absl::OkStatus();
    };
    v.peer = [this](int64_t ops) {
      return RawDrain(raw.reader(), absl::MakeSpan(sink), Bytes(ops));
    };
    v.run = [this](int64_t ops) {
      return Repeat(ops, [&] {
        return RawWriteAll(raw.writer(), data.data(), data.size());
      });
    };
    v.teardown = [this] { raw.CloseBoth(); };
    return v;
  }

  Variant Ipcbox() {
    Variant v;
    v.name = "ipcbox";
    v.setup = [this] { return Open(lib); };
    v.peer_setup = [this] {
      lib.writer = PipeWriter();
      return absl::OkStatus();
    };
    v.peer = [this](int64_t ops) {
      // SIGPIPE guarded once per batch: each write is a bare write(2).
      const HeldSigpipeScope sigpipe(hold_sigpipe_scope);
      return Drain(lib.reader, absl::MakeSpan(sink), Bytes(ops));
    };
    v.run = [this](int64_t ops) {
      // SIGPIPE guarded once per batch: each write is a bare write(2).
      const HeldSigpipeScope sigpipe(hold_sigpipe_scope);
      const absl::string_view chunk(data.data(), data.size());
      for (int64_t i = 0; i < ops; ++i) {
        if (absl::Status s = lib.writer.WriteAll(chunk); !s.ok()) return s;
      }
      return absl::OkStatus();
    };
    v.teardown = [this] { CloseBoth(lib); };
    return v;
  }
};

}  // namespace
}  // namespace ipcbox::bench

int main(int argc, char** argv) {
  using ipcbox::bench::kMessageSize;
  using ipcbox::bench::kStreamChunk;
  ipcbox::bench::WriteReadOneProcess one_process;
  ipcbox::bench::RoundTrip round_trip;
  ipcbox::bench::Throughput throughput;
  ipcbox::bench::Suite suite("pipes: ipcbox (lib/pipe) vs raw read/write");
  suite.Add({"pipe write+read 64 B, one process", 20000, kMessageSize},
            one_process.Raw(), one_process.Ipcbox());
  // The same without a held scope: the cost of a write outside any.
  suite.Add(
      {"pipe write+read 64 B alone, guard per write", 20000, kMessageSize},
      one_process.Raw(), ipcbox::bench::GuardPerWrite(one_process.Ipcbox()));
  suite.Add({"pipe round trip 64 B (two pipes)", 2000, kMessageSize},
            round_trip.Raw(), round_trip.Ipcbox());
  suite.Add({"pipe throughput 64 KiB writes", 512, kStreamChunk},
            throughput.Raw(), throughput.Ipcbox());
  return suite.Main(argc, argv);
}
