#!/usr/bin/env bash
# ipcbox's pipe_un prints exactly what the seed's pipeUN prints.
source tests/interop/interop.sh
interop_init seed_pipe_un ipcbox_pipe_un -- "$@"
run "$seed_pipe_un" > seed.out
run "$ipcbox_pipe_un" > ipcbox.out
expect_same_file seed.out ipcbox.out "pipe_un's output differs from pipeUN's"
echo "pipe_un and pipeUN both print: $(cat ipcbox.out)"
