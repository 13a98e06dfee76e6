#!/usr/bin/env bash
# ipcbox on lib/channel channels made by real processes (channel_participant):
# a publisher and two subscribers, one reading and one holding its samples.
#
# Checked: ls --kind=channel lists the channel once (not again as shm), with
# the publisher's and subscribers' pids, liveness and backlogs, and verdict
# in use; show prints the same; a subscriber killed with SIGKILL shows dead;
# channel echo --count prints exactly that many consecutive samples and
# exits 0, and exits 1 when every place is taken or the publisher is gone;
# channel hz reports its windows and a rate; ls and show change no byte of
# the segment; rm and clean --stale refuse a live channel; once every
# participant is SIGKILLed the channel is stale, ls --check exits 1, and
# clean --stale removes it and not a live one; a control block scribbled
# with random bytes is reported as a problem (ls --check and show exit 1),
# never a crash, left alone by clean --stale and removable with rm; usage
# errors exit 2.
#
# Runs in IPC, mount, network and pid namespaces of its own (unshare, as
# root) with a private tmpfs on /dev/shm: it never sees or touches the
# machine's objects.
#
# Arguments: the qemu runner, ipcbox, channel_participant.
set -euo pipefail

source tests/interop/seeds.sh
run_in_namespaces "$@"
source tests/ipcbox/ipcbox_cli.sh

# Where it ran (the virtual boards run it on their ARM kernels).
echo "machine: $(uname -m), kernel $(uname -r)"

runfile_args RUNNER IPCBOX PARTICIPANT -- "$@"
mount -t tmpfs -o size=16m,mode=1777 ipcbox-channel-test-shm /dev/shm
cd "$TEST_TMPDIR"

fail() {
  echo "FAIL: $*"
  echo "--- ipcbox ls --kind=channel,shm:"
  ipcbox ls --kind=channel,shm || true
  exit 1
}

# The ls --json line of channel NAME; empty if none.
channel_line() {
  ipcbox ls --json --kind=channel | grep -F "\"name\":\"$1\"" || true
}
verdict_of() {
  channel_line "$1" | sed -n 's/.*"verdict":"\([^"]*\)".*/\1/p'
}
expect_verdict() {  # <name> <verdict>
  local got
  got=$(verdict_of "$1")
  [[ $got == "$2" ]] || fail "channel $1: verdict \"$got\", expected \"$2\""
  echo "ok: channel $1 is $2"
}
# The JSON of subscriber PID in channel NAME's line; empty if none.
subscriber_json() {  # <name> <pid>
  channel_line "$1" | grep -o "{\"place\":[0-9]*,\"pid\":$2,[^}]*}" || true
}
start() {  # <output file> <participant flags...>: sets $started
  local out=$1
  shift
  "$RUNNER" "$PARTICIPANT" "$@" > "$out" 2>&1 &
  started=$!
  pids+=("$started")
  await "$out ready" grep -q ready "$out"
}
kill9() { kill -9 "$1"; wait "$1" 2>/dev/null || true; }

# --- Usage ------------------------------------------------------------------
expect_exit 0 ipcbox --help
grep -q "channel echo NAME" cmd.out || fail "--help does not list channel echo"
grep -q "channel hz NAME" cmd.out || fail "--help does not list channel hz"
grep -q -- "--window" cmd.out || fail "--help does not list --window"
expect_exit 2 ipcbox channel
expect_exit 2 ipcbox channel echo
expect_exit 2 ipcbox channel frob /x
expect_exit 2 ipcbox channel echo /x --count=zero
expect_exit 2 ipcbox channel echo /x --count=0
expect_exit 2 ipcbox channel hz /x --window=-1s
expect_exit 2 ipcbox channel echo /x --window=1s
expect_exit 2 ipcbox channel echo /x --frob
expect_exit 1 ipcbox channel echo /no-such-channel --count=1
expect_exit 1 ipcbox show channel /no-such-channel

# --- A live channel ---------------------------------------------------------
ch=/ipcbox-channel-test-live
start pub.out --role=publisher --name="$ch" --rate=200
pub=$started
start holder.out --role=subscriber --name="$ch"
holder=$started
start reader.out --role=subscriber --name="$ch" --read
reader=$started

expect_verdict "$ch" "in use"
line=$(channel_line "$ch")
grep -q "\"publisher\":{\"pid\":$pub,\"pid_source\":\"lock\",\"alive\":true}" <<< "$line" ||
  fail "publisher $pub not reported alive: $line"
# The holder never reads: its backlog fills the 4-slot ring.
await "the holder's backlog" eval \
  '[[ $(subscriber_json "$ch" "$holder") == *"\"alive\":true,\"backlog\":4,"* ]]'
[[ $(subscriber_json "$ch" "$reader") == *'"alive":true'* ]] || fail "reader $reader not alive"
grep -q '"slots":4,"max_subscribers":2,"max_payload":64,"policy":"drop-oldest"' <<< "$line" ||
  fail "geometry not reported: $line"
echo "ok: ls shows the publisher, both subscribers and the holder's backlog"

# Listed once, as a channel, by a plain ls (all kinds).
[[ $(ipcbox ls --json | grep -c -F "\"name\":\"$ch\"") == 1 ]] || fail "listed more than once"
ipcbox ls --json | grep -F "\"name\":\"$ch\"" | grep -q '"kind":"channel"' || fail "not listed as a channel"
ipcbox ls --kind=channel | grep -E "^channel +$ch .* pub $pub sub .*$holder\\(backlog 4\\).* in use" > /dev/null ||
  { ipcbox ls --kind=channel; fail "ls table row"; }
echo "ok: ls lists it once, as a channel"

expect_exit 0 ipcbox show channel "$ch"
grep -qE "^publisher: +alive, pid $pub\$" cmd.out || { cat cmd.out; fail "show: publisher"; }
grep -qE "^subscriber [01]: +alive, pid $holder, backlog 4, missed " cmd.out || { cat cmd.out; fail "show: holder"; }
grep -qE "^policy: +drop-oldest\$" cmd.out || { cat cmd.out; fail "show: policy"; }
expect_exit 0 ipcbox show channel "${ch#/}" --json
grep -q '"kind":"channel"' cmd.out || fail "show --json"
echo "ok: show"

# Both places are taken: echo cannot attach.
expect_exit 1 ipcbox channel echo "$ch" --count=1
grep -q "subscriber places are taken" cmd.out || { cat cmd.out; fail "echo: why not attached"; }

# Live channels are not removed.
expect_exit 1 ipcbox rm channel "$ch"
grep -q "in use" cmd.out || fail "rm: why refused"
expect_exit 0 ipcbox clean --kind=channel,shm --stale
expect_exit 0 ipcbox ls --kind=channel,shm --check
[[ -e /dev/shm$ch ]] || fail "a live channel was removed"
echo "ok: rm and clean --stale leave the live channel"

# A subscriber killed: shown dead, and its place serves echo.
kill9 "$reader"
await "the reader dead" eval '[[ $(subscriber_json "$ch" "$reader") == *"\"pid_source\":\"record\",\"alive\":false"* ]]'
expect_verdict "$ch" "in use"
expect_exit 0 ipcbox show channel "$ch"
grep -qE "^subscriber [01]: +dead, pid $reader \\(recorded\\)" cmd.out || { cat cmd.out; fail "show: dead reader"; }
echo "ok: the SIGKILLed subscriber shows dead"

expect_exit 0 ipcbox channel echo "$ch" --count=5
[[ $(grep -c '^seq ' cmd.out) == 5 ]] || { cat cmd.out; fail "echo --count=5"; }
# Each line's sequence is the one its text carries, rising (a slow echo
# under qemu may miss samples of this drop-oldest channel: gaps are fine).
last=-1
while read -r word seq size unit rest; do
  [[ $word == seq ]] || continue
  [[ $rest == *"|sample $seq|" && $rest == "73 61 6d 70 6c 65 20 "* ]] ||
    { cat cmd.out; fail "echo: line of sample $seq"; }
  ((seq > last)) || { cat cmd.out; fail "echo: sequence $seq after $last"; }
  last=$seq
done < cmd.out
expect_exit 0 ipcbox channel echo "$ch" --count=2 --json --bytes=6
grep -qE '"received":2,"missed":[0-9]+,"end":"count"}' cmd.out || { cat cmd.out; fail "echo --json"; }
grep -q '"hex":"73 61 6d 70 6c 65","text":"sample"' cmd.out || { cat cmd.out; fail "echo --json --bytes"; }
expect_exit 0 ipcbox channel echo "$ch" --duration=300ms
grep -q "stopped: duration" cmd.out || { cat cmd.out; fail "echo --duration"; }
# Ctrl-C: exit 0, and a clean detach (a killed subscriber would leave its
# place marked active, listed as dead).
"$RUNNER" "$IPCBOX" channel echo "$ch" > interrupted.out 2>&1 &
echo_pid=$!
pids+=("$echo_pid")
await "echo printing" grep -q '^seq ' interrupted.out
kill -INT "$echo_pid"
status=0
wait "$echo_pid" || status=$?
[[ $status == 0 ]] || { cat interrupted.out; fail "echo after SIGINT: exit $status"; }
grep -q "stopped: interrupted" interrupted.out || { cat interrupted.out; fail "echo: SIGINT"; }
[[ -z $(subscriber_json "$ch" "$echo_pid") ]] || fail "echo left its place: $(subscriber_json "$ch" "$echo_pid")"
echo "ok: echo"

expect_exit 0 ipcbox channel hz "$ch" --count=2 --window=500ms
[[ $(grep -cE "^$ch: [0-9.]+ Hz \\([0-9]+ samples in" cmd.out) == 2 ]] || { cat cmd.out; fail "hz windows"; }
grep -qE "^$ch: average [1-9][0-9.]* Hz" cmd.out || { cat cmd.out; fail "hz: no rate"; }
expect_exit 0 ipcbox channel hz "$ch" --duration=1s --window=300ms --json
grep -qE '"hz":[1-9][0-9.]*,"missed":[0-9]+,"end":"duration"}' cmd.out || { cat cmd.out; fail "hz --json"; }
echo "ok: hz"

# --- Every participant SIGKILLed: stale --------------------------------------
kill9 "$pub"
kill9 "$holder"
expect_verdict "$ch" "stale"
line=$(channel_line "$ch")
grep -q '"publisher":{"pid":null,"pid_source":null,"alive":false}' <<< "$line" || fail "dead publisher: $line"
expect_exit 1 ipcbox ls --kind=channel,shm --check
# Looking changes nothing: the dead holder's place stays as it was left.
before=$(md5sum < "/dev/shm$ch")
ipcbox ls > /dev/null
ipcbox ls --kind=channel --json > /dev/null
ipcbox show channel "$ch" > /dev/null
[[ $(md5sum < "/dev/shm$ch") == "$before" ]] || fail "ls or show changed the segment"
echo "ok: ls and show leave the segment's bytes alone"
expect_exit 1 ipcbox channel echo "$ch" --count=1
grep -q "stopped: publisher gone" cmd.out || { cat cmd.out; fail "echo: publisher gone"; }

# clean --stale removes the dead channel, not a live one.
live=/ipcbox-channel-test-other
start other.out --role=publisher --name="$live" --rate=50
other=$started
expect_exit 0 ipcbox clean --kind=channel,shm --stale --dry-run
grep -q "would remove: channel $ch " cmd.out || { cat cmd.out; fail "dry run"; }
[[ -e /dev/shm$ch ]] || fail "--dry-run removed it"
expect_exit 0 ipcbox clean --kind=channel,shm --stale
grep -q "removed: channel $ch " cmd.out || { cat cmd.out; fail "clean: not reported"; }
[[ ! -e /dev/shm$ch ]] || fail "clean --stale left the stale channel"
[[ -e /dev/shm$live ]] || fail "clean --stale removed a live channel"
expect_verdict "$live" "in use"
echo "ok: clean --stale removed exactly the stale channel"

# --- Scribbled control blocks ----------------------------------------------
# Random bytes over everything after the magic number (so that it is still
# taken for a channel), on a live channel and on a dead one, many times.
start scribbled.out --role=publisher --name=/ipcbox-channel-test-scribbled --rate=50
scribbled=$started
for ((round = 0; round < 8; round++)); do
  dd if=/dev/urandom of=/dev/shm/ipcbox-channel-test-scribbled bs=1 seek=4 count=188 \
    conv=notrunc status=none
  status=0
  ipcbox ls --kind=channel --json > scribble.out 2>&1 || status=$?
  [[ $status == 0 ]] || { cat scribble.out; fail "ls exit $status on a scribbled channel (round $round)"; }
  grep -F '"name":"/ipcbox-channel-test-scribbled"' scribble.out |
    grep -q '"problem":"not a usable channel' || { cat scribble.out; fail "no problem reported (round $round)"; }
  status=0
  ipcbox show channel /ipcbox-channel-test-scribbled > scribble.out 2>&1 || status=$?
  [[ $status == 1 ]] || { cat scribble.out; fail "show exit $status on a scribbled channel"; }
  grep -qE "^problem: +not a usable channel" scribble.out || { cat scribble.out; fail "show: no problem line"; }
done
expect_verdict /ipcbox-channel-test-scribbled "in use"
expect_exit 1 ipcbox ls --kind=channel,shm --check
echo "ok: a scribbled live channel is reported, 8 rounds"
kill9 "$scribbled"
expect_verdict /ipcbox-channel-test-scribbled "idle"
expect_exit 0 ipcbox clean --kind=channel,shm --stale
[[ -e /dev/shm/ipcbox-channel-test-scribbled ]] || fail "clean --stale removed a corrupt channel"
expect_exit 0 ipcbox rm channel /ipcbox-channel-test-scribbled
[[ ! -e /dev/shm/ipcbox-channel-test-scribbled ]] || fail "rm left the corrupt channel"
echo "ok: a corrupt, unused channel is idle, kept by clean --stale, removed by rm"

kill9 "$other"
expect_exit 0 ipcbox clean --kind=channel,shm --stale
[[ -z $(ls -A /dev/shm) ]] || fail "left in /dev/shm: $(ls -A /dev/shm)"
echo "PASS"
