#!/usr/bin/env bash
# ipcbox doctor against fake /proc and /dev trees (--root): a full kernel,
# one without System V IPC, one without POSIX message queues, one with the
# mqueue file system not mounted, and one with tiny limits; plus a small
# RLIMIT_NOFILE. Only what --root decides is checked exactly; the
# system-call probes are about the running kernel (and qemu-user) and are
# only checked to be there with a known status.
#
# Arguments: the qemu runner, ipcbox.
set -euo pipefail
# Where it ran (the virtual boards run it on their ARM kernels).
echo "machine: $(uname -m), kernel $(uname -r)"
runfiles=$PWD
RUNNER=$runfiles/$1
IPCBOX=$runfiles/$2
work=$(mktemp -d "${TEST_TMPDIR:-/tmp}/doctor.XXXXXX")
trap 'rm -rf "$work"' EXIT

ipcbox() { "$RUNNER" "$IPCBOX" "$@"; }
fail() {
  echo "FAIL: $*"
  exit 1
}

# A kernel with everything and ordinary limits.
full_tree() {  # <dir>
  local r=$1
  mkdir -p "$r/proc/sysvipc" "$r/proc/sys/kernel" "$r/proc/sys/fs/mqueue" "$r/dev/shm"
  for f in shm sem msg; do echo "       key      id perms" > "$r/proc/sysvipc/$f"; done
  echo 18446744073692774399 > "$r/proc/sys/kernel/shmmax"
  echo 18446744073692774399 > "$r/proc/sys/kernel/shmall"
  echo 8192 > "$r/proc/sys/kernel/msgmax"
  echo 16384 > "$r/proc/sys/kernel/msgmnb"
  echo 32000 > "$r/proc/sys/kernel/msgmni"
  printf '32000\t1024000000\t500\t32000\n' > "$r/proc/sys/kernel/sem"
  echo 10 > "$r/proc/sys/fs/mqueue/msg_max"
  echo 8192 > "$r/proc/sys/fs/mqueue/msgsize_max"
  echo 256 > "$r/proc/sys/fs/mqueue/queues_max"
  echo 10 > "$r/proc/sys/fs/mqueue/msg_default"
  echo 8192 > "$r/proc/sys/fs/mqueue/msgsize_default"
  cat > "$r/proc/mounts" <<'MOUNTS'
proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0
tmpfs /dev/shm tmpfs rw,nosuid,nodev 0 0
mqueue /dev/mqueue mqueue rw,nosuid,nodev,noexec,relatime 0 0
MOUNTS
}

# status_of <json file> <check>: "ok", "warning" or "missing".
status_of() {
  grep -F "\"check\":\"$2\"" "$1" | sed -n 's/.*"status":"\([^"]*\)".*/\1/p'
}
expect() {  # <json file> <check> <status>
  local got
  got=$(status_of "$1" "$2")
  [[ $got == "$3" ]] || { cat "$1"; fail "$(basename "$1"): $2 is \"$got\", expected \"$3\""; }
}
doctor() {  # <tree> <json file>: runs doctor, prints its exit status
  local rc=0
  ipcbox doctor --json --root="$1" > "$2" || rc=$?
  echo "$rc"
}
flavor=$({ ipcbox doctor --json || true; } | grep '"check":"ipc_flavor"' | sed -n 's/.*"value":"\([^"]*\)".*/\1/p')
[[ $flavor == posix || $flavor == sysv ]] || fail "no ipc_flavor line"

# --- Full -----------------------------------------------------------------------
full_tree "$work/full"
doctor "$work/full" "$work/full.json" > /dev/null
for check in sysv_ipc kernel/shmmax kernel/shmall kernel/msgmax kernel/msgmnb kernel/msgmni \
  kernel/sem posix_mqueue fs/mqueue/msg_max fs/mqueue/msgsize_max fs/mqueue/queues_max \
  /dev/shm ipc_flavor; do
  expect "$work/full.json" "$check" ok
done
for check in RLIMIT_NOFILE ofd_locks close_range pidfd_open memfd_create sem_clockwait lock_backend; do
  [[ $(status_of "$work/full.json" "$check") =~ ^(ok|warning|missing)$ ]] || fail "no $check line"
done

# --- No System V IPC --------------------------------------------------------------
full_tree "$work/nosysv"
rm -r "$work/nosysv/proc/sysvipc" "$work/nosysv/proc/sys/kernel"
[[ $(doctor "$work/nosysv" "$work/nosysv.json") == 1 ]] || fail "no System V: exit status is not 1"
for check in sysv_ipc kernel/shmmax kernel/shmall kernel/msgmax kernel/msgmnb kernel/msgmni kernel/sem; do
  expect "$work/nosysv.json" "$check" missing
done
expect "$work/nosysv.json" posix_mqueue ok
if [[ $flavor == sysv ]]; then expect "$work/nosysv.json" ipc_flavor warning; fi

# --- No POSIX message queues ------------------------------------------------------
full_tree "$work/nomq"
rm -r "$work/nomq/proc/sys/fs/mqueue"
grep -v mqueue "$work/nomq/proc/mounts" > "$work/mounts" && mv "$work/mounts" "$work/nomq/proc/mounts"
[[ $(doctor "$work/nomq" "$work/nomq.json") == 1 ]] || fail "no mqueue: exit status is not 1"
for check in posix_mqueue fs/mqueue/msg_max fs/mqueue/msgsize_max fs/mqueue/queues_max; do
  expect "$work/nomq.json" "$check" missing
done
expect "$work/nomq.json" sysv_ipc ok
if [[ $flavor == posix ]]; then expect "$work/nomq.json" ipc_flavor warning; fi

# --- mqueue in the kernel, not mounted ----------------------------------------------
full_tree "$work/unmounted"
grep -v mqueue "$work/unmounted/proc/mounts" > "$work/mounts" && mv "$work/mounts" "$work/unmounted/proc/mounts"
doctor "$work/unmounted" "$work/unmounted.json" > /dev/null
expect "$work/unmounted.json" posix_mqueue warning
expect "$work/unmounted.json" ipc_flavor ok

# --- Tiny limits --------------------------------------------------------------------
full_tree "$work/tiny"
echo 4096 > "$work/tiny/proc/sys/kernel/shmmax"
echo 16 > "$work/tiny/proc/sys/kernel/shmall"
echo 128 > "$work/tiny/proc/sys/kernel/msgmax"
echo 1024 > "$work/tiny/proc/sys/kernel/msgmnb"
echo 4 > "$work/tiny/proc/sys/kernel/msgmni"
printf '4\t16\t4\t4\n' > "$work/tiny/proc/sys/kernel/sem"
echo 1 > "$work/tiny/proc/sys/fs/mqueue/msg_max"
echo 128 > "$work/tiny/proc/sys/fs/mqueue/msgsize_max"
echo 2 > "$work/tiny/proc/sys/fs/mqueue/queues_max"
[[ $(doctor "$work/tiny" "$work/tiny.json") == 1 ]] || fail "tiny limits: exit status is not 1"
for check in kernel/shmmax kernel/shmall kernel/msgmax kernel/msgmnb kernel/msgmni kernel/sem \
  fs/mqueue/msg_max fs/mqueue/msgsize_max fs/mqueue/queues_max; do
  expect "$work/tiny.json" "$check" warning
done
expect "$work/tiny.json" sysv_ipc ok
expect "$work/tiny.json" posix_mqueue ok

# --- No /dev/shm; few descriptors ---------------------------------------------------
full_tree "$work/noshm"
rmdir "$work/noshm/dev/shm"
rc=0
(ulimit -n 64 && ipcbox doctor --json --root="$work/noshm") > "$work/noshm.json" || rc=$?
[[ $rc == 1 ]] || fail "no /dev/shm: exit status $rc, not 1"
expect "$work/noshm.json" /dev/shm missing
expect "$work/noshm.json" RLIMIT_NOFILE warning

# --- The table and usage ------------------------------------------------------------
ipcbox doctor --root="$work/nosysv" > "$work/table.txt" || true
grep -Eq '^sysv_ipc +missing +no +no System V IPC' "$work/table.txt" || {
  cat "$work/table.txt"
  fail "the table has no sysv_ipc missing line"
}
rc=0
ipcbox doctor --frob > /dev/null 2>&1 || rc=$?
[[ $rc == 2 ]] || fail "doctor --frob: exit $rc, not 2"
echo PASS
