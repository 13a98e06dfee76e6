# Settings shared by tools/board/{assemble,up,down}; sourced, not run.
# A board is named by ipcbox's config name: aarch64 or armv7.

board_cache_root=${IPCBOX_BOARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ipcbox/boards}

board_die() { echo "tools/board: $*" >&2; exit 1; }

# Sets the board_* variables for the board named $1 (exit 2 if unknown).
board_settings() {
  case $1 in
    aarch64)
      board_deb_arch=arm64
      board_triplet=aarch64-linux-gnu
      board_kernel_meta=linux-image-arm64
      board_qemu=qemu-system-aarch64
      board_cpu=cortex-a53
      # Under TCG, KASLR makes the kernel force page-table isolation on,
      # and every syscall then flushes QEMU's translation cache: 8x slower.
      board_cmdline_extra="nokaslr kpti=0"
      ;;
    armv7)
      board_deb_arch=armhf
      board_triplet=arm-linux-gnueabihf
      board_kernel_meta=linux-image-armmp-lpae
      board_qemu=qemu-system-arm
      board_cpu=cortex-a15
      board_cmdline_extra=""
      ;;
    *)
      echo "tools/board: unknown board '$1' (aarch64 or armv7)" >&2
      exit 2
      ;;
  esac
  board_state_dir=$board_cache_root/$1/run
}
