#!/usr/bin/env bash
# The splitting cost curve: how the edge's CPU per GB grows with the number of players.
# Runs bench/split-fanout.sh (MMS/TCP players; every point with its own raw fan-out baseline in
# the same run) at 1,000, 2,000, 4,000 and 8,000 players of one broadcast and at 100 broadcasts
# of 40 players each, prints the edge's and the raw baseline's CPU per GB and their ratio per
# point, says whether the edge's CPU per GB stays within 15% across the points, and draws the
# curve as an SVG (no plotting package needed).
#
# Usage: bench/cost-curve.sh [seconds] [svg]   (defaults 20 s measured per point, docs/cost-curve.svg)
# Environment: POINTS (default "1000 2000 4000 8000 100x40"; BxP = B broadcasts of P players),
#              and split-fanout.sh's (SKIP_BUILD, MVN_FLAGS, QUIET_WAIT, MERGE_MS, SERVER_JVM...).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-20}"
svg="${2:-docs/cost-curve.svg}"
points="${POINTS:-1000 2000 4000 8000 100x40}"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  # shellcheck disable=SC2086
  mvn ${MVN_FLAGS:-} -q -B -DskipTests package -pl benchmarks -am
fi
data="$(mktemp /tmp/cost-curve.XXXXXX)"
trap 'rm -f "$data"' EXIT

for point in $points; do
  if [[ "$point" == *x* ]]; then b="${point%x*}"; n=$(( ${point%x*} * ${point#*x} )); else b=1; n="$point"; fi
  echo "== point ${point}: ${n} players over ${b} broadcast(s)"
  out="$(SKIP_BUILD=1 PROTOCOLS=mms BROADCASTS="$b" bash bench/split-fanout.sh "$n" "$seconds")"
  sed -n '/^== results/,$p' <<< "$out"
  edge="$(sed -n 's/^mms .*CPU \([0-9.]*\) s\/GB.*/\1/p' <<< "$out")"
  raw="$(sed -n 's/^raw .*CPU \([0-9.]*\) s\/GB.*/\1/p' <<< "$out")"
  held="$(sed -n 's/^mms *players held \([0-9]*\/[0-9]*\).*/\1/p' <<< "$out")"
  kb="$(sed -n '/^mms /,/^raw /s/.*after a full GC .* = \([0-9.]*\) KB\/player.*/\1/p' <<< "$out" | head -1)"
  p99="$(sed -n '/^mms /,/^raw /s/.*lag p50 [0-9]* ms, p99 \([0-9]*\) ms.*/\1/p' <<< "$out" | head -1)"
  echo "$point $n ${edge:-0} ${raw:-0} ${held:-?} ${kb:-?} ${p99:-?}" >> "$data"
done

echo
echo "== cost curve (${seconds} s per point, $(nproc) cores)"
awk '{ printf "%-8s %6d players held %-11s edge %.2f s/GB  raw %.2f s/GB  ratio %.2fx  %s KB/player  lag p99 %s ms\n",
       $1, $2, $5, $3, $4, ($4 > 0 ? $3 / $4 : 0), $6, $7 }' "$data"
awk '{ if (min == "" || $3 < min) min = $3; if ($3 > max) max = $3; if (rmin == "" || $3 / $4 < rmin) rmin = $3 / $4
       if ($3 / $4 > rmax) rmax = $3 / $4 }
     END { printf "edge CPU per GB across points: %.2f to %.2f s/GB, max/min %.2f (target: within 1.15); ratio to raw %.2fx to %.2fx\n",
           min, max, max / min, rmin, rmax }' "$data"

# The SVG: per point, the edge's and the raw baseline's CPU per GB as bars, the ratio above them.
mkdir -p "$(dirname "$svg")"
awk -v title="mms-edge splitting cost: CPU seconds per GB delivered ($(date -u +%Y-%m-%d), ${seconds} s per point, $(nproc) cores, loopback)" '
  { label[NR] = $1; edge[NR] = $3; raw[NR] = $4; held[NR] = $5; if ($3 > top) top = $3; if ($4 > top) top = $4 }
  END {
    w = 160 * NR + 120; h = 380; base = 320; scale = 240 / (top > 0 ? top * 1.1 : 1)
    printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", w, h
    printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n<text x=\"10\" y=\"20\" font-size=\"14\">%s</text>\n", title
    for (t = 0; t <= top * 1.1; t += 0.5) {
      y = base - t * scale
      printf "<line x1=\"60\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"55\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>\n", y, w - 20, y, y + 4, t
    }
    printf "<text x=\"15\" y=\"%d\" transform=\"rotate(-90 15 %d)\" text-anchor=\"middle\">CPU s/GB</text>\n", base - 120, base - 120
    for (i = 1; i <= NR; i++) {
      x = 80 + (i - 1) * 160
      printf "<rect x=\"%d\" y=\"%.1f\" width=\"55\" height=\"%.1f\" fill=\"#d9534f\"/>", x, base - edge[i] * scale, edge[i] * scale
      printf "<rect x=\"%d\" y=\"%.1f\" width=\"55\" height=\"%.1f\" fill=\"#5b8def\"/>\n", x + 60, base - raw[i] * scale, raw[i] * scale
      printf "<text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\">%.2f</text>", x + 27, base - edge[i] * scale - 4, edge[i]
      printf "<text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\">%.2f</text>\n", x + 87, base - raw[i] * scale - 4, raw[i]
      name = label[i] ~ /x/ ? label[i] " (B x P)" : label[i] " players"
      printf "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>", x + 57, base + 18, name
      printf "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%.2fx raw, held %s</text>\n", x + 57, base + 34, (raw[i] > 0 ? edge[i] / raw[i] : 0), held[i]
    }
    printf "<rect x=\"%d\" y=\"40\" width=\"12\" height=\"12\" fill=\"#d9534f\"/><text x=\"%d\" y=\"50\">mms-edge (MMS/TCP players)</text>\n", w - 330, w - 314
    printf "<rect x=\"%d\" y=\"58\" width=\"12\" height=\"12\" fill=\"#5b8def\"/><text x=\"%d\" y=\"68\">raw fan-out baseline, same run</text>\n", w - 330, w - 314
    print "</svg>"
  }' "$data" > "$svg"
echo "curve drawn in $svg"
