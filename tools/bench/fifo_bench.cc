// FIFO benchmarks: ipcbox (lib/fifo opens, lib/pipe reads and writes)
// against the same system calls by hand, in the same run.
//
//   ./bazelw run -c opt //tools/bench:fifo_bench
//   ./bazelw run -c opt //tools/bench:fifo_bench -- --filter=round
//   --layouts=same
//
// Cases:
//   - throughput: the parent writes N records of 16 B (the fifoWriter's
//     chunk), 4 KiB (PIPE_BUF) or 64 KiB (a full FIFO) into one FIFO, the
//     peer reads them with a 64 KiB buffer;
//   - round trip: 64 B to the peer over one FIFO, echoed back over another.
// The FIFOs are opened before the timed part (see FifoPair), so the numbers
// are the reads and writes: PipeWriter::WriteAll and PipeReader::Read /
// ReadFull against write(2) and read(2) loops. The ipcbox side holds a
// ScopedSigpipeBlock per batch, so each WriteAll is a bare write(2); in the
// rows "guard per write" it holds none and each write blocks SIGPIPE around
// itself (two pthread_sigmask calls; see scoped_sigpipe_block.h), which raw
// code that ignores SIGPIPE does not do.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ipcbox/core/deadline.h"
#include "ipcbox/core/unique_name.h"
#include "ipcbox/fifo/fifo.h"
#include "ipcbox/fifo/fifo_open.h"
#include "ipcbox/pipe/pipe_reader.h"
#include "ipcbox/pipe/pipe_writer.h"
#include "ipcbox/pipe/scoped_sigpipe_block.h"
#include "tools/bench/harness.h"
#include "tools/bench/raw_io.h"
#include "tools/bench/sigpipe_scope.h"

namespace ipcbox::bench {
namespace {

constexpr size_t kReadBuffer = 64 << 10;
constexpr size_t kPingSize = 64;

// ---------------------------------------------------------------- raw side

// Opens a FIFO end as raw code would: O_NONBLOCK for the open (which must
// not wait: the peer is not forked yet, or is waiting for us), then back to
// blocking for the reads and writes.
absl::StatusOr<int> RawOpen(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, "open " + path);
  if (::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
    ::close(fd);
    return absl::ErrnoToStatus(errno, "fcntl");
  }
  return fd;
}

void RawClose(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Two FIFOs, "to peer" and "to parent", with raw descriptors. Opening
// without deadlocks: setup() (before the fork) opens the parent's write end
// of "to peer" with the help of a temporary read end (nobody writes until
// the peer's reader is there), and its read end of "to parent";
// peer_setup() drops the parent's copies that fork() gave it and opens its
// own ends, which find their counterparts already open.
struct RawFifoPair {
  std::string to_peer_path;
  std::string to_parent_path;
  int parent_writer = -1;
  int parent_reader = -1;
  int peer_reader = -1;
  int peer_writer = -1;

  // No teardown follows a failed setup, so a failed Setup() tears down the
  // FIFOs it made itself.
  absl::Status Setup(bool two_way) {
    absl::Status status = SetupSteps(two_way);
    if (!status.ok()) Teardown();
    return status;
  }

  absl::Status SetupSteps(bool two_way) {
    to_peer_path = UniqueTempPath("fifo_bench_raw");
    to_parent_path = UniqueTempPath("fifo_bench_raw");
    if (::mkfifo(to_peer_path.c_str(), 0600) != 0) {
      return absl::ErrnoToStatus(errno, "mkfifo");
    }
    absl::StatusOr<int> helper = RawOpen(to_peer_path, O_RDONLY);
    if (!helper.ok()) return helper.status();
    absl::StatusOr<int> writer = RawOpen(to_peer_path, O_WRONLY);
    ::close(*helper);
    if (!writer.ok()) return writer.status();
    parent_writer = *writer;
    if (!two_way) return absl::OkStatus();
    if (::mkfifo(to_parent_path.c_str(), 0600) != 0) {
      return absl::ErrnoToStatus(errno, "mkfifo");
    }
    absl::StatusOr<int> reader = RawOpen(to_parent_path, O_RDONLY);
    if (!reader.ok()) return reader.status();
    parent_reader = *reader;
    return absl::OkStatus();
  }

  absl::Status PeerSetup(bool two_way) {
    RawClose(parent_writer);
    RawClose(parent_reader);
    absl::StatusOr<int> reader = RawOpen(to_peer_path, O_RDONLY);
    if (!reader.ok()) return reader.status();
    peer_reader = *reader;
    if (!two_way) return absl::OkStatus();
    absl::StatusOr<int> writer = RawOpen(to_parent_path, O_WRONLY);
    if (!writer.ok()) return writer.status();
    peer_writer = *writer;
    return absl::OkStatus();
  }

  void Teardown() {
    RawClose(parent_writer);
    RawClose(parent_reader);
    ::unlink(to_peer_path.c_str());
    ::unlink(to_parent_path.c_str());
  }
};

// ------------------------------------------------------------- ipcbox side

// The same two FIFOs through ipcbox: Fifo (removed by its destructor), the
// non-waiting opens for the ends whose peers are known to be there, and the
// timed open for the parent's first writer.
struct IpcboxFifoPair {
  Fifo to_peer;
  Fifo to_parent;
  std::string to_peer_path;  // kept for the peer, which releases the Fifos
  std::string to_parent_path;
  PipeWriter parent_writer;
  PipeReader parent_reader;
  PipeReader peer_reader;
  PipeWriter peer_writer;

  absl::Status Setup(bool two_way) {
    absl::StatusOr<Fifo> fifo = Fifo::Create(UniqueTempPath("fifo_bench"));
    if (!fifo.ok()) return fifo.status();
    to_peer = *std::move(fifo);
    to_peer_path = to_peer.path();
    absl::StatusOr<PipeReader> helper = TryOpenFifoReader(to_peer_path);
    if (!helper.ok()) return helper.status();
    absl::StatusOr<PipeWriter> writer =
        TryOpenFifoWriter(to_peer_path, FifoEndMode::kBlocking);
    if (!writer.ok()) return writer.status();
    parent_writer = *std::move(writer);
    if (!two_way) return absl::OkStatus();
    fifo = Fifo::Create(UniqueTempPath("fifo_bench"));
    if (!fifo.ok()) return fifo.status();
    to_parent = *std::move(fifo);
    to_parent_path = to_parent.path();
    absl::StatusOr<PipeReader> reader =
        TryOpenFifoReader(to_parent_path, FifoEndMode::kBlocking);
    if (!reader.ok()) return reader.status();
    parent_reader = *std::move(reader);
    return absl::OkStatus();
  }

  absl::Status PeerSetup(bool two_way) {
    parent_writer = PipeWriter();
    parent_reader = PipeReader();
    (void)to_peer.Release();  // the parent removes them, not the peer
    (void)to_parent.Release();
    absl::StatusOr<PipeReader> reader =
        TryOpenFifoReader(to_peer_path, FifoEndMode::kBlocking);
    if (!reader.ok()) return reader.status();
    peer_reader = *std::move(reader);
    if (!two_way) return absl::OkStatus();
    absl::StatusOr<PipeWriter> writer =
        TryOpenFifoWriter(to_parent_path, FifoEndMode::kBlocking);
    if (!writer.ok()) return writer.status();
    peer_writer = *std::move(writer);
    return absl::OkStatus();
  }

  void Teardown() {
    parent_writer = PipeWriter();
    parent_reader = PipeReader();
    to_peer = Fifo();  // removes the FIFOs
    to_parent = Fifo();
  }
};

// -------------------------------------------------------------- the cases

// The parent writes `ops` records of `record` bytes; the peer reads them all.
struct Throughput {
  size_t record;
  RawFifoPair raw;
  IpcboxFifoPair lib;

  Variant Raw() {
    Variant v;
    v.name = "raw";
    v.setup = [this] { return raw.Setup(false); };
    v.peer_setup = [this] { return raw.PeerSetup(false); };
    v.peer = [this](int64_t ops) {
      std::vector<char> buf(kReadBuffer);
      return RawDrain(raw.peer_reader, absl::MakeSpan(buf),
                      static_cast<uint64_t>(ops) * record);
    };
    v.run = [this](int64_t ops) {
      const std::string data(record, 'r');
      return Repeat(ops, [&] {
        return RawWriteAll(raw.parent_writer, data.data(), data.size());
      });
    };
    v.teardown = [this] { raw.Teardown(); };
    return v;
  }

  Variant Ipcbox() {
    Variant v;
    v.name = "ipcbox";
    v.setup = [this] { return lib.Setup(false); };
    v.peer_setup = [this] { return lib.PeerSetup(false); };
    v.peer = [this](int64_t ops) {
      // SIGPIPE guarded once per batch: each write is a bare write(2).
      const HeldSigpipeScope sigpipe(hold_sigpipe_scope);
      std::vector<char> buf(kReadBuffer);
      uint64_t left = static_cast<uint64_t>(ops) * record;
      while (left > 0) {
        absl::StatusOr<size_t> n = lib.peer_reader.Read(absl::MakeSpan(buf));
        if (!n.ok()) return n.status();
        left -= *n;
      }
      return absl::OkStatus();
    };
    v.run = [this](int64_t ops) {
      // SIGPIPE guarded once per batch: each write is a bare write(2).
      const HeldSigpipeScope sigpipe(hold_sigpipe_scope);
      const std::string data(record, 'i');
      return Repeat(ops, [&] { return lib.parent_writer.WriteAll(data); });
    };
    v.teardown = [this] { lib.Teardown(); };
    return v;
  }
};

// 64 B to the peer and back, over two FIFOs.
struct RoundTrip {
  RawFifoPair raw;
  IpcboxFifoPair lib;

  Variant Raw() {
    Variant v;
    v.name = "raw";
    v.setup = [this] { return raw.Setup(true); };
    v.peer_setup = [this] { return raw.PeerSetup(true); };
    v.peer = [this](int64_t ops) {
      char buf[kPingSize];
      return Repeat(ops, [&] {
        if (absl::Status s = RawReadFull(raw.peer_reader, buf, kPingSize);
            !s.ok()) {
          return s;
        }
        return RawWriteAll(raw.peer_writer, buf, kPingSize);
      });
    };
    v.run = [this](int64_t ops) {
      char buf[kPingSize] = {};
      return Repeat(ops, [&] {
        if (absl::Status s = RawWriteAll(raw.parent_writer, buf, kPingSize);
            !s.ok()) {
          return s;
        }
        return RawReadFull(raw.parent_reader, buf, kPingSize);
      });
    };
    v.teardown = [this] { raw.Teardown(); };
    return v;
  }

  Variant Ipcbox() {
    Variant v;
    v.name = "ipcbox";
    v.setup = [this] { return lib.Setup(true); };
    v.peer_setup = [this] { return lib.PeerSetup(true); };
    v.peer = [this](int64_t ops) {
      // SIGPIPE guarded once per batch: each write is a bare write(2).
      const HeldSigpipeScope sigpipe(hold_sigpipe_scope);
      char buf[kPingSize];
      return Repeat(ops, [&] {
        if (absl::Status s = lib.peer_reader.ReadFull(absl::MakeSpan(buf));
            !s.ok()) {
          return s;
        }
        return lib.peer_writer.WriteAll(absl::string_view(buf, kPingSize));
      });
    };
    v.run = [this](int64_t ops) {
      // SIGPIPE guarded once per batch: each write is a bare write(2).
      const HeldSigpipeScope sigpipe(hold_sigpipe_scope);
      char buf[kPingSize] = {};
      return Repeat(ops, [&] {
        if (absl::Status s =
                lib.parent_writer.WriteAll(absl::string_view(buf, kPingSize));
            !s.ok()) {
          return s;
        }
        return lib.parent_reader.ReadFull(absl::MakeSpan(buf));
      });
    };
    v.teardown = [this] { lib.Teardown(); };
    return v;
  }
};

}  // namespace
}  // namespace ipcbox::bench

int main(int argc, char** argv) {
  using ipcbox::bench::RoundTrip;
  using ipcbox::bench::Suite;
  using ipcbox::bench::Throughput;
  Throughput seed_chunks{16};
  Throughput pages{4096};
  Throughput full{64 << 10};
  RoundTrip round_trip;
  Suite suite("FIFOs: ipcbox (lib/fifo + lib/pipe) vs raw read/write");
  suite.Add({"FIFO throughput 16 B writes", 100000, 16}, seed_chunks.Raw(),
            seed_chunks.Ipcbox());
  // The same without a held scope: the cost of a write outside any.
  suite.Add({"FIFO 16 B writes, guard per write", 100000, 16},
            seed_chunks.Raw(),
            ipcbox::bench::GuardPerWrite(seed_chunks.Ipcbox()));
  suite.Add({"FIFO throughput 4 KiB writes", 20000, 4096}, pages.Raw(),
            pages.Ipcbox());
  suite.Add({"FIFO throughput 64 KiB writes", 2000, 64 << 10}, full.Raw(),
            full.Ipcbox());
  suite.Add({"FIFO round trip 64 B (two FIFOs)", 5000, 64}, round_trip.Raw(),
            round_trip.Ipcbox());
  return suite.Main(argc, argv);
}
