#!/usr/bin/env bash
# ipcbox's sysv_shm_server and sysv_shm_client against the Chinese
# summary's own server.c and client.c (section 2.3.3), both ways, as the
# article runs them: the server first (it makes the segment, exclusively),
# then the client, each taking ten one-second rounds. Both sides name the
# segment by ftok(<path>, 3): the C programs' PATH is "." (see
# third_party/seeds/seed_programs.bzl), so each pairing runs in a directory
# of its own and gives ipcbox's programs --path=. as well; every other value
# is the programs' default (4096 bytes, mode 0664, ten rounds, 1 s).
#
# Checked: the segment has the seed's size and mode; the server prints ten
# lines "server:" + a prefix of "ABCDEFGHIJ" that never shrinks and ends
# with letters (the client's writes reached it); the server removes the
# segment (ipcs -m lists neither its key nor its id afterwards; ipcs -m -i
# cannot tell, it exits 0 for an id it does not find).
#
# Arguments: the qemu runner, @seed_programs' status file, then the seed's
# server and client and ipcbox's sysv_shm_server and sysv_shm_client.
source tests/interop/interop.sh
interop_init seed_server seed_client ipcbox_server ipcbox_client -- "$@"

# ftok("<dir>", 3) as glibc computes it: project id, device and inode bits.
ftok_key() {
  local dev ino
  dev=$(stat -c %d "$1")
  ino=$(stat -c %i "$1")
  printf '0x%08x' $(((3 << 24) | ((dev & 0xff) << 16) | (ino & 0xffff)))
}

# The ipcs -m line of the segment with key $1: key shmid owner perms bytes
# nattch status.
segment_line() { ipcs -m | awk -v k="$1" '$1 == k'; }
segment_listed() { [[ -n $(segment_line "$1") ]]; }

check_server_output() {  # <name> <file>
  local n=0 longest=0 line text
  while IFS= read -r line; do
    n=$((n + 1))
    text=${line#server:}
    if [[ $line != server:* || ABCDEFGHIJ != "$text"* ]]; then
      fail "$1: line $n is not \"server:\" and a prefix of ABCDEFGHIJ: $line"
    fi
    ((${#text} >= longest)) || fail "$1: line $n lost letters: $line"
    longest=${#text}
  done < "$2"
  [[ $n -eq 10 ]] || fail "$1: printed $n lines, not 10"
  # The client attaches within the server's ten seconds (a bound, as in
  # await): a last line without letters means its writes never arrived.
  ((longest > 0)) || fail "$1: never saw a letter from the client"
}

# pair <name> <server> <server args> <client> <client args>
pair() {
  local name=$1 server=$2 server_args=$3 client=$4 client_args=$5
  local dir key server_pid line shmid perms bytes started=$SECONDS
  # A directory whose key no segment holds: ftok keys keep 16 inode bits,
  # so another directory may share one.
  for _ in 1 2 3 4 5; do
    dir=$(mktemp -d "$scratch/pair.XXXXXX")
    key=$(ftok_key "$dir")
    segment_listed "$key" || break
  done
  segment_listed "$key" && fail "$name: every key tried is taken ($key)"
  at_exit "ipcrm -M $key 2>/dev/null"
  cd "$dir"

  # shellcheck disable=SC2086  # the args are one flag or none
  run "$server" $server_args > server.out 2> server.err &
  server_pid=$!
  track "$server_pid"
  await "$name: the server's segment $key" "$server_pid" segment_listed "$key"
  line=$(segment_line "$key")
  read -r _ shmid _ perms bytes _ <<< "$line"
  [[ $perms == 664 && $bytes == 4096 ]] ||
    fail "$name: the segment is not 4096 bytes with mode 664: $line"
  # shellcheck disable=SC2086
  run "$client" $client_args > client.out 2> client.err ||
    fail "$name: the client exited with $?"
  finish "$name: the server" "$server_pid" 0
  check_server_output "$name" server.out
  # By id too: a removed segment still attached loses its key, not its id.
  if segment_listed "$key" || [[ -n $(ipcs -m | awk -v id="$shmid" '$2 == id') ]]; then
    fail "$name: the server left its segment $key (id $shmid): $(ipcs -m)"
  fi
  echo "ok: $name ($((SECONDS - started)) s): $(tr '\n' ' ' < server.out)"
  cd "$scratch"
}

pair "seed server -> ipcbox client" "$seed_server" "" "$ipcbox_client" "--path=."
pair "ipcbox server -> seed client" "$ipcbox_server" "--path=." "$seed_client" ""
