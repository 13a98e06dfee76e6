#!/usr/bin/env bash
# ipcbox's fifo_chat_server and fifo_chat_client against the Chinese
# summary's own server.c and client.c (section 1.5), both ways, with their
# defaults: the FIFO "fifo" in the working directory, made by the server.
# The test types the client's lines one at a time and waits until the
# server has printed each before typing the next, as a person at the
# client's terminal would: lines typed faster would reach the server in one
# read and come out after a single "server receive]: ", in the C server as
# in ipcbox's.
#
# The C server prints through stdio without flushing, so its lines would
# reach a pipe only at exit; it runs on a pseudo-terminal (script(1)), as in
# the article, where stdout is line-buffered. The C client ends at end of
# input the article's way: "client read error" and exit status 2.
#
# Arguments: the qemu runner, @seed_programs' status file, then the seed's
# chat server and client and ipcbox's fifo_chat_server and fifo_chat_client.
source tests/interop/interop.sh
interop_init seed_server seed_client ipcbox_server ipcbox_client -- "$@"

lines=("hello" "ipcbox and the seed, one FIFO" "bye")
{
  printf 'server receive]: %s\n' "${lines[@]}"
  echo '******* client end *******'
} > expected_server.txt
# One prompt per line typed, and one more that end of input answers.
for _ in "${lines[@]}" end; do printf '[client input]: '; done > expected_client.txt

received() {  # received <server output> <count>
  local n
  n=$(tr -d '\r' < "$1" | grep -c '^server receive\]: ' || true)
  [[ $n -ge $2 ]]
}

# type_lines <server output> <server pid>: writes the lines to the client's
# input (fd 3), each once the server has printed the one before.
type_lines() {
  local i
  for i in "${!lines[@]}"; do
    printf '%s\n' "${lines[i]}" >&3
    await "the server to print line $((i + 1))" "$2" received "$1" $((i + 1))
  done
}

# chat <dir> <server's name> <client's name> <client's exit status>
#   <client program> <server command...>: in a new directory <dir> (left
# as the current one), starts the server, waits for it to make ./fifo,
# starts the client, types the lines and ends the client's input, and
# checks both exit statuses. The outputs stay in server.out, client.out
# and client.err.
chat() {
  local dir=$1 server_name=$2 client_name=$3 client_status=$4 client=$5
  shift 5
  mkdir "$dir" && cd "$dir"
  mkfifo input
  # Read-write: opening never blocks; closing it (no other process holds
  # it: 3>&- below) is the client's end of input.
  exec 3<> input
  "$@" < /dev/null > server.out 2> server.err 3>&- &
  local server_pid=$!
  track "$server_pid"
  await "$server_name to make ./fifo" "$server_pid" test -p fifo
  run "$client" < input > client.out 2> client.err 3>&- &
  local client_pid=$!
  track "$client_pid"
  type_lines server.out "$server_pid"
  exec 3>&-
  finish "$client_name" "$client_pid" "$client_status"
  finish "$server_name" "$server_pid" 0
}

# 1. The seed's server (on a pseudo-terminal), ipcbox's client.
chat seed_server "the seed's chat server" "ipcbox fifo_chat_client" 0 "$ipcbox_client" \
  script -qfec "$(printf '%q ' "$RUNNER" "$seed_server")" /dev/null
tr -d '\r' < server.out > server.txt
expect_same_file ../expected_server.txt server.txt "the seed's server's output"
expect_same_file ../expected_client.txt client.out "ipcbox client's prompts"
echo "ok: ipcbox fifo_chat_client -> seed server.c (which leaves ./fifo, as in the article)"
cd ..

# 2. ipcbox's server, the seed's client.
chat ipcbox_server "ipcbox fifo_chat_server" "the seed's chat client" 2 "$seed_client" \
  run "$ipcbox_server"
expect_same_file ../expected_server.txt server.out "ipcbox server's output"
expect_same_file ../expected_client.txt client.out "the seed's client's prompts"
expect_contains client.err "client read error"
[[ ! -e fifo ]] || fail "ipcbox fifo_chat_server left ./fifo"
echo "ok: seed client.c -> ipcbox fifo_chat_server (which removed ./fifo)"
