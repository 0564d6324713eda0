# Shared by the bench scripts: `measure CMD...` runs CMD once to warm up, then $runs times
# under GNU time, and prints the medians "wall_s cpu_s peak_rss_mb". Uses $tmp as scratch.
# A non-zero exit is not a failure here (`check` exits 1 when it finds something).

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

measure() {
  "$@" >/dev/null 2>&1 || true
  : > "$tmp/runs"
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %U %S %M" -o "$tmp/t" "$@" >/dev/null 2>&1 || true
    # GNU time writes a line of its own first when the command exits non-zero.
    tail -n 1 "$tmp/t" >> "$tmp/runs"
  done
  echo "$(awk '{print $1}' "$tmp/runs" | median) $(awk '{print $2+$3}' "$tmp/runs" | median)" \
    "$(awk '{print $4}' "$tmp/runs" | median | awk '{printf "%.0f", $1/1024}')"
}
