# Prints the C source that follows the line "Example N. <title>" in a seed
# article: from the first non-blank line after it up to the prose that
# resumes (a line indented by three spaces, or a tab-indented bullet).
# Usage: awk -v title="The producer program" -f extract_example.awk seed.txt
{
  line = $0
  sub(/\r$/, "", line)
  if (!inside) {
    probe = line
    sub(/^[ \t]+/, "", probe)
    if (probe ~ /^Example [0-9]+\. / && index(probe, title) > 0 && length(probe) - index(probe, title) + 1 == length(title)) {
      inside = 1
      started = 0
    }
    next
  }
  if (!started && line ~ /^[ \t]*$/) next
  started = 1
  if (line ~ /^   [^ ]/ || line ~ /^\t \* /) exit
  print line
}
