#!/usr/bin/env bash
# ipcbox's pipe_un prints exactly what the seed's pipeUN prints.
source tests/interop/interop.sh
interop_init "$1" "$2"
require_seeds
cd "$scratch"
run "$(runfile "$3")" > seed.out
run "$(runfile "$4")" > ipcbox.out
expect_same_file seed.out ipcbox.out "pipe_un's output differs from pipeUN's"
echo "pipe_un and pipeUN both print: $(cat ipcbox.out)"
