# Sums the .text kept in a GNU ld map file (-Wl,-Map) per archive, e.g.
# libabsl_cord.a, libstdc++.a, libc.a (footprint.sh --floor-breakdown); with
# -v by=package, the SDK archive's objects per ipcbox package instead (its
# members are named lib_<package>__objs_..., see dist/pack_sdk.sh).
# A section line is either one line (" .text.x  0xADDR 0xSIZE file") or the
# name alone with the rest on the next line.
function hex(s,    i, c, v) {
  v = 0
  s = tolower(substr(s, 3))
  for (i = 1; i <= length(s); i++) {
    c = index("0123456789abcdef", substr(s, i, 1)) - 1
    v = v * 16 + c
  }
  return v
}
/^Linker script and memory map/ { mapped = 1 }
!mapped { next }
/^ \.text/ && NF == 1 { pending = 1; next }
(pending || /^ \.text/) {
  n = split($0, f, " ")
  start = pending ? 1 : 2
  pending = 0
  if (n < start + 2 || f[start] !~ /^0x/ || f[start + 1] !~ /^0x/) next
  size = hex(f[start + 1])
  file = f[start + 2]
  if (by == "package") {
    if (file !~ /libipcbox\.a\(lib_/) next
    sub(/^.*libipcbox\.a\(lib_/, "", file)
    sub(/__objs_.*$/, "", file)
    total[file] += size
    next
  }
  sub(/\(.*$/, "", file)
  sub(/^.*\//, "", file)
  total[file] += size
  next
}
END { for (lib in total) if (total[lib] > 0) printf "%9d %s\n", total[lib], lib }
