#!/usr/bin/env bash
# ipcbox ls / show / rm / clean against real objects of every kind, made
# three ways: through ipcbox's library (make_objects: one instance holding
# its objects, one killed with SIGKILL), through util-linux's ipcmk, and
# through the seed articles' own C programs (sysv_shm_server, memwriter:
# in use while they run, then killed with SIGKILL). Plus a lock held by
# flock(1), FIFOs (one held open, one not) and a file owned by another user.
#
# Checked: the verdict of every object (in use / idle / stale); ls --check
# exits 1 while something is stale and 0 after clean; rm refuses objects in
# use and locks; clean --stale --dry-run removes nothing; clean --stale
# removes exactly the stale objects, refuses the other user's one until
# --any-owner; run as that other user, rm and clean leave root's objects
# alone; usage errors exit 2.
#
# The test runs in IPC, mount, network and pid namespaces of its own (unshare, as
# root), with a private tmpfs on /dev/shm and /tmp and a new mqueue file
# system on /dev/mqueue: it never sees or touches the machine's objects.
#
# Arguments: the qemu runner, @seed_programs' status file, ipcbox,
# make_objects, the seeds' sysv_shm_server and memwriter.
set -euo pipefail

source tests/interop/seeds.sh
run_in_namespaces "$@"
source tests/ipcbox/ipcbox_cli.sh

# Where it ran (the virtual boards run it on their ARM kernels).
echo "machine: $(uname -m), kernel $(uname -r)"

runfile_args RUNNER SEED_STATUS IPCBOX MAKE_OBJECTS SEED_SYSV_SERVER SEED_MEMWRITER -- "$@"

# The tmpfs on /tmp below hides a checkout that lives under /tmp, and the
# runner is a link into the checkout; on a board it hides TEST_TMPDIR too:
# run a copy of the runner from the new /tmp, read before the mount.
runner_script=$(cat "$RUNNER")
mount -t tmpfs -o size=16m,mode=1777 ipcbox-test-tmp /tmp
printf '%s\n' "$runner_script" > /tmp/qemu_runner
chmod 755 /tmp/qemu_runner
RUNNER=/tmp/qemu_runner
if [[ ! -d /dev/mqueue ]] && ! mkdir /dev/mqueue 2>/dev/null; then
  # A read-only /dev without /dev/mqueue (Bazel's sandbox): a /dev of our
  # own, with the host's few device nodes bound into it.
  mkdir /tmp/host-dev
  nodes=()
  for node in null zero full random urandom tty; do
    [[ -e /dev/$node ]] || continue
    touch "/tmp/host-dev/$node"
    mount --bind "/dev/$node" "/tmp/host-dev/$node"
    nodes+=("$node")
  done
  mount -t tmpfs -o size=1m,mode=755 ipcbox-test-dev /dev
  for node in "${nodes[@]}"; do
    touch "/dev/$node"
    mount --bind "/tmp/host-dev/$node" "/dev/$node"
  done
  ln -s /proc/self/fd /dev/fd
  ln -s /proc/self/fd/0 /dev/stdin
  ln -s /proc/self/fd/1 /dev/stdout
  ln -s /proc/self/fd/2 /dev/stderr
  mkdir /dev/shm /dev/mqueue
fi
mount -t tmpfs -o size=16m,mode=1777 ipcbox-test-shm /dev/shm
mount -t mqueue ipcbox-test-mqueue /dev/mqueue
dir=/tmp/objects
mkdir "$dir"
cd /tmp

fail() {
  echo "FAIL: $*"
  echo "--- ipcbox ls:"
  ipcbox ls --path="$dir" || true
  exit 1
}

# The ls --json line of the object of KIND whose name (or System V key) is
# NAME; empty if none.
object_line() {
  ipcbox ls --json --kind="$1" --path="$dir" |
    grep -F -e "\"name\":\"$2\"" -e "\"key\":\"$2\"" || true
}
verdict_of() {
  object_line "$1" "$2" | sed -n 's/.*"verdict":"\([^"]*\)".*/\1/p'
}
expect_verdict() {  # <kind> <name> <verdict>
  local got
  got=$(verdict_of "$1" "$2")
  [[ $got == "$3" ]] || fail "$1 $2: verdict \"$got\", expected \"$3\""
  echo "ok: $1 $2 is $3"
}
expect_gone() {
  [[ -z $(object_line "$1" "$2") ]] || fail "$1 $2 is still there"
}
expect_there() {
  [[ -n $(object_line "$1" "$2") ]] || fail "$1 $2 is gone"
}

# --- Usage ------------------------------------------------------------------
expect_exit 0 ipcbox --help
grep -q "clean" cmd.out || fail "--help does not list clean"
expect_exit 2 ipcbox
expect_exit 2 ipcbox frobnicate
expect_exit 2 ipcbox ls --kind=bogus
expect_exit 0 ipcbox ls --kind=channel
expect_exit 2 ipcbox channel
expect_exit 2 ipcbox ls --frob
expect_exit 2 ipcbox clean
expect_exit 2 ipcbox rm shm
# /proc/locks is not namespaced: locks of processes outside the test's pid
# namespace show with a device:inode name and no holder; they are not ours.
[[ -z $(ipcbox ls --path="$dir" | tail -n +2 | grep -vE '^lock +[0-9a-f]+:[0-9a-f]+:[0-9]+ ') ]] ||
  fail "the namespaces are not empty"

# --- Objects ------------------------------------------------------------------
# name_of <file> <kind>: what make_objects printed for that kind.
name_of() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }

"$RUNNER" "$MAKE_OBJECTS" --dir="$dir" --seconds=3600 > held.out &
held_pid=$!
pids+=("$held_pid")
"$RUNNER" "$MAKE_OBJECTS" --dir="$dir" > killed.out &
killed_pid=$!
pids+=("$killed_pid")
await "make_objects (held)" grep -q ready held.out
await "make_objects (killed)" grep -q ready killed.out
kill -9 "$killed_pid"
wait "$killed_pid" 2>/dev/null || true

ipcmk_shm=$(ipcmk -M 4096 | awk '{ print $NF }')
ipcmk_msg=$(ipcmk -Q | awk '{ print $NF }')
ipcmk_sem=$(ipcmk -S 2 | awk '{ print $NF }')

flock "$dir/lockfile" sleep 300 &
pids+=("$!")
await "flock" eval '[[ -n $(object_line lock "$dir/lockfile") ]]'

mkfifo "$dir/plain.fifo"
mkfifo "$dir/held.fifo"
(exec 3<> "$dir/held.fifo" && exec sleep 300) &
pids+=("$!")

# Another user's leftover: an ipcbox name whose creator pid cannot exist.
# The test runs outside Bazel's sandbox (BUILD.bazel) for this: in a user
# namespace that maps only root no other owner can be given, and then the
# owner rule is left to remove_test.
foreign=/ipcbox_foreign.4194304.0123456789abcdef
echo x > "/dev/shm${foreign}"
if ! chown 65534 "/dev/shm${foreign}" 2>/dev/null; then
  if [[ $(awk '{print $3}' /proc/self/uid_map) == 4294967295 ]]; then
    fail "cannot give /dev/shm${foreign} to user 65534 as root"
  fi
  echo "note: only root is mapped here; the other-owner part is skipped"
  rm "/dev/shm${foreign}"
  foreign=""
fi

# The seeds' programs: in use while they run, then killed.
seeds=no
if grep -q '^available' "$SEED_STATUS"; then
  seeds=yes
  mkdir seed && cd seed
  "$RUNNER" "$SEED_SYSV_SERVER" > server.out 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  "$RUNNER" "$SEED_MEMWRITER" > memwriter.out 2>&1 &
  memwriter_pid=$!
  pids+=("$memwriter_pid")
  cd /tmp
  # /proc/sysvipc/shm: key shmid perms size cpid ...
  seed_segment() { awk -v p="$server_pid" 'NR > 1 && $5 == p { print $2 }' /proc/sysvipc/shm; }
  has_seed_segment() { [[ -n $(seed_segment) ]]; }
  await "the seed's System V segment" has_seed_segment
  seed_shm=$(seed_segment)
  await "the seed's semaphore" test -e /dev/shm/sem.mysemaphore
  expect_verdict sysv-shm "$seed_shm" "in use"
  expect_verdict shm /shMemEx "in use"
  expect_verdict sem /mysemaphore "in use"
  kill -9 "$server_pid" "$memwriter_pid"
  wait "$server_pid" "$memwriter_pid" 2>/dev/null || true
else
  echo "seed programs: $(cat "$SEED_STATUS"); their part is skipped"
fi

# --- ls -------------------------------------------------------------------------
for kind in shm sem mq sysv-shm socket; do
  expect_verdict "$kind" "$(name_of held.out "$kind")" "in use"
  expect_verdict "$kind" "$(name_of killed.out "$kind")" stale
done
# Fifo::Create makes the node only: nobody has the held one's open.
expect_verdict fifo "$(name_of held.out fifo)" idle
expect_verdict fifo "$(name_of killed.out fifo)" stale
expect_verdict sysv-shm "$ipcmk_shm" stale      # ipcmk exited, nothing attached
expect_verdict sysv-msg "$ipcmk_msg" idle       # no creator recorded
expect_verdict sysv-sem "$ipcmk_sem" idle
expect_verdict lock "$dir/lockfile" "in use"
expect_verdict fifo "$dir/plain.fifo" idle
expect_verdict fifo "$dir/held.fifo" "in use"
[[ -z $foreign ]] || expect_verdict shm "$foreign" stale
if [[ $seeds == yes ]]; then
  expect_verdict sysv-shm "$seed_shm" stale
  expect_verdict shm /shMemEx idle              # POSIX keeps no creator
  expect_verdict sem /mysemaphore idle
fi
object_line shm "$(name_of held.out shm)" | grep -q '"by_ipcbox":true' ||
  fail "an ipcbox-named object is not marked"
object_line sysv-shm "$ipcmk_shm" | grep -q '"by_ipcbox":false' ||
  fail "ipcmk's segment is marked as ipcbox's"
expect_exit 1 ipcbox ls --check --path="$dir"

# --- show -------------------------------------------------------------------
expect_exit 0 ipcbox show shm "$(name_of held.out shm)"
grep -q "pid $held_pid" cmd.out || fail "show does not name the holder $held_pid"
expect_exit 1 ipcbox show shm /no-such-object
# A listening socket is asked who listens (SO_PEERCRED); a socket file with
# nothing bound to it has nobody to ask.
expect_exit 0 ipcbox show socket "$(name_of held.out socket)" --path="$dir"
grep -q "^listener: *pid $held_pid uid 0 gid 0 (SO_PEERCRED)" cmd.out ||
  fail "show socket does not name the listener $held_pid: $(cat cmd.out)"
expect_exit 0 ipcbox show socket "$(name_of killed.out socket)" --path="$dir"
! grep -q "^listener:" cmd.out || fail "show asked a socket file nothing is bound to"

# --- rm ---------------------------------------------------------------------
for kind in shm sem mq sysv-shm socket; do
  expect_exit 1 ipcbox rm "$kind" "$(name_of held.out "$kind")" --path="$dir"
  grep -q "in use" cmd.out || fail "rm $kind: no reason given"
  expect_there "$kind" "$(name_of held.out "$kind")"
done
expect_exit 1 ipcbox rm lock "$dir/lockfile"
expect_exit 1 ipcbox rm fifo "$dir/held.fifo"
expect_there fifo "$dir/held.fifo"
expect_exit 0 ipcbox rm sysv-msg "$ipcmk_msg" --dry-run
expect_there sysv-msg "$ipcmk_msg"
expect_exit 0 ipcbox rm sysv-msg "$ipcmk_msg"
grep -q "removed: sysv-msg" cmd.out || fail "rm does not print the removal"
expect_gone sysv-msg "$ipcmk_msg"
expect_exit 0 ipcbox rm fifo "$dir/plain.fifo"
expect_gone fifo "$dir/plain.fifo"

# The names of the stale objects, sorted.
stale_names() {
  ipcbox ls --json --path="$dir" | grep '"verdict":"stale"' |
    sed 's/.*"name":"\([^"]*\)".*/\1/' | sort
}

# --- another user ----------------------------------------------------------
# Run as user 65534, ipcbox touches nothing of root's: rm refuses a stale
# object of root's, and clean --stale removes only that user's own stale
# object (the copies live in /tmp, because the runfiles are under root's
# home). The object is then made again for root's part below.
if [[ -n $foreign ]]; then
  mkdir /tmp/nobody
  cp "$RUNNER" "$(readlink -f "$IPCBOX")" /tmp/nobody/
  chmod -R a+rx /tmp/nobody
  as_nobody() {
    setpriv --reuid=65534 --regid=65534 --clear-groups \
      /tmp/nobody/qemu_runner /tmp/nobody/ipcbox "$@"
  }
  stale_shm=$(name_of killed.out shm)
  got=0
  as_nobody rm shm "$stale_shm" > cmd.out 2>&1 || got=$?
  [[ $got == 1 ]] || fail "rm as another user exited $got: $(cat cmd.out)"
  grep -q "owned by uid 0, not by you" cmd.out ||
    fail "rm as another user did not say why: $(cat cmd.out)"
  expect_there shm "$stale_shm"
  stale_before=$(stale_names)
  got=0
  as_nobody clean --stale --path="$dir" > cmd.out 2>&1 || got=$?
  [[ $got == 1 ]] || fail "clean as another user exited $got: $(cat cmd.out)"
  [[ $(grep -o '^removed: [a-z-]* [^ ]*' cmd.out) == "removed: shm $foreign" ]] ||
    fail "clean as user 65534 removed other than its own object: $(cat cmd.out)"
  [[ $(stale_names) == "$(grep -vxF "$foreign" <<< "$stale_before")" ]] ||
    fail "clean as another user removed something of root's"
  echo "ok: as user 65534, rm and clean left root's objects alone"
  echo x > "/dev/shm${foreign}"
  chown 65534 "/dev/shm${foreign}"
fi

# --- clean ------------------------------------------------------------------
before=$(stale_names)
[[ -n $before ]] || fail "nothing stale before clean"
# Exit 1 while another user's object is refused.
expect_exit "$([[ -n $foreign ]] && echo 1 || echo 0)" \
  ipcbox clean --stale --dry-run --path="$dir"
[[ $(stale_names) == "$before" ]] || fail "clean --dry-run removed something"
would=$(sed -n 's/^would remove: [a-z-]* \([^ ]*\).*/\1/p' cmd.out | sort)
[[ $would == "$(grep -vxF -e "${foreign:-/}" <<< "$before")" ]] ||
  fail "clean --dry-run would remove [$would], the stale ones are [$before]"

expect_exit "$([[ -n $foreign ]] && echo 1 || echo 0)" ipcbox clean --stale --path="$dir"
removed=$(sed -n 's/^removed: [a-z-]* \([^ ]*\).*/\1/p' cmd.out | sort)
[[ $removed == "$would" ]] ||
  fail "clean removed [$removed], the stale ones were [$before]"
if [[ -n $foreign ]]; then
  grep -q "refused: shm $foreign" cmd.out || fail "clean did not refuse another user's object"
  [[ $(stale_names) == "$foreign" ]] || fail "stale after clean: $(stale_names)"
  expect_exit 0 ipcbox clean --stale --any-owner --path="$dir"
  grep -q "removed: shm $foreign" cmd.out || fail "clean --any-owner did not remove it"
fi
[[ -z $(stale_names) ]] || fail "still stale: $(stale_names)"
expect_exit 0 ipcbox ls --check --path="$dir"

# Nothing in use or idle went (the holder is still there to hold them).
kill -0 "$held_pid" || fail "make_objects (held) exited early"
for kind in shm sem mq sysv-shm socket fifo; do
  expect_there "$kind" "$(name_of held.out "$kind")"
done
expect_there sysv-sem "$ipcmk_sem"
expect_there lock "$dir/lockfile"
expect_there fifo "$dir/held.fifo"
if [[ $seeds == yes ]]; then
  expect_there shm /shMemEx
  expect_there sem /mysemaphore
fi
echo PASS
