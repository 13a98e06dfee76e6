# Writes out a C listing from the Chinese summary of pipes and System V IPC,
# whose listings have no "Example N." caption: a file name on a line of its
# own ("server.c") or followed by a colon and a description
# ("server.c:读取..."). Two sections print a "server.c", so the caption is
# looked for only after the line that starts the section.
#
# The listing starts at the first line after the caption that begins with
# "#" (an #include or #pragma; the captions are followed by prose or
# nothing). A program (kind=program) ends with the line that closes its
# last open brace; a header (kind=header, no braces) ends before its first
# blank line. The listing goes to the file `out` as the article's bytes
# (its comments are UTF-8 Chinese); the exit status is 1 if it was not
# found.
#
# Usage: awk -v section="1.5 " -v caption="server.c" -v kind=program \
#            -v out=server.c -f extract_listing.awk seed.txt
{
  line = $0
  sub(/\r$/, "", line)
  probe = line
  sub(/^[ \t]+/, "", probe)
  sub(/[ \t]+$/, "", probe)
  if (state == 0) {
    if (index(probe, section) == 1) state = 1
    next
  }
  if (state == 1) {
    if (probe == caption || index(probe, caption ":") == 1) state = 2
    next
  }
  if (state == 2) {
    if (line !~ /^#/) next
    state = 3
  }
  if (kind == "header" && probe == "") exit
  print line > out
  printed = 1
  if (kind == "program") {
    opens = gsub(/\{/, "{", line)
    closes = gsub(/\}/, "}", line)
    depth += opens - closes
    if (opens > 0) opened = 1
    if (opened && depth <= 0) exit
  }
}
END {
  if (!printed) exit 1
}
