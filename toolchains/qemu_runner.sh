#!/bin/sh
# Runs a program for whatever architecture its ELF header names: ARM
# binaries under qemu-user, everything else (host binaries, scripts) as it is.
# Bazel uses this as --run_under in the aarch64 and armv7 configs. On an ARM
# machine (the virtual boards run shell tests that start ARM programs through
# this script) ARM binaries of its own architecture run natively.
set -eu
program=$1
shift

# e_machine is the little-endian 16-bit field at offset 18 of an ELF header.
machine=""
if [ "$(head -c 4 "$program" 2>/dev/null | od -An -c | tr -d ' ')" = "177ELF" ]; then
  machine=$(od -An -j 18 -N 2 -t u2 "$program" | tr -d ' ')
fi

case "$machine:$(uname -m)" in
  183:aarch64 | 40:arm*) exec "$program" "$@" ;;
esac
case "$machine" in
  183) exec qemu-aarch64 -L /usr/aarch64-linux-gnu "$program" "$@" ;;
  40) exec qemu-arm -L /usr/arm-linux-gnueabihf "$program" "$@" ;;
  *) exec "$program" "$@" ;;
esac
