#!/usr/bin/env bash
# Splitting fan-out benchmark on loopback, every part in its own process:
#   origin (a ~600 kbit/s ASF broadcast, looped) -> splitting edge -> load generator (N MMS/TCP players),
# then N MMSH players ([MS-WMSP], on the edge's MMS port, as FFmpeg's mmsh client asks), then N MMS players
# taking their Data by UDP (mmsu://, a UDP funnel each, MS-MMSP 3.2.5.5) against the same edge and origin,
# then, in the same run, a raw fan-out baseline (RawFanout: the same packets at the same rate
# to N sockets, no MMS logic) -> the same load generator in raw mode.
# Prints players held, delivered Mbit/s, server CPU s/GB (utime+stime over the measurement window),
# resident memory and memory per player (over an idle baseline taken before players join),
# p50/p99 lag, drops, sessions at the origin, the edge's ratios to the raw baseline, and MMSH's and UDP's
# CPU per GB as ratios to MMS/TCP's.
#
# Usage: bench/split-fanout.sh [players] [seconds]      (defaults 1000 players, 30 s measured)
# Environment: MVN_FLAGS (extra mvn options, e.g. -Dmaven.repo.local=...), SKIP_BUILD=1,
#              BASE_PORT (default 31750: origin +6, edge +5, raw +7, status +16/+15),
#              SERVER_JVM (default -Xmx1g), LOAD_JVM (default -Xmx2g), KEEP_TMP=1 (keep the servers' logs),
#              PROTOCOLS (default "mms mmsh mmsu"): the player protocols measured against the edge, in order
#                (mmsu = MMS with Data by UDP),
#              BROADCASTS (default 1): the origin broadcasts the file as live0 .. live(B-1) and the
#                players spread round-robin over them (MMS players only; B > 1 means one split per broadcast),
#              RAW_OWN_HEADERS=1: a second raw baseline whose sockets each get their 8-byte header in a
#                buffer of their own (two buffers per packet, as MS-MMSP makes the edge write them),
#              MERGE_MS (default 100): the edge's server.writeMergeMillis, and the raw baseline
#              merges its writes the same way, so the two compare like for like (0 = a write per packet),
#              SETTLE_SECONDS (default 35, or twice the ramp if longer): time between the last player
#                joining and the measured window,
#              PROFILE=DIR: profile the edge with async-profiler over each phase's measured window and
#                write DIR/edge-PHASE.collapsed, DIR/edge-PHASE.svg (a flame graph), DIR/top-PHASE.txt;
#                PROFILE_OPTS (default event=cpu,interval=997us; e.g. event=alloc) says what is sampled.
set -euo pipefail
cd "$(dirname "$0")/.."

players="${1:-1000}"
seconds="${2:-30}"
base="${BASE_PORT:-31750}"
origin_port=$((base + 6)); edge_port=$((base + 5)); raw_port=$((base + 7))
origin_status=$((base + 16)); edge_status=$((base + 15))
server_jvm=(${SERVER_JVM:--Xmx1g})
load_jvm=(${LOAD_JVM:--Xmx2g})
merge_ms="${MERGE_MS:-100}"
read -r -a protocols <<< "${PROTOCOLS:-mms mmsh mmsu}"
# Players connect over players/500 s; both servers then get twice that to settle before the window
# opens (the raw baseline streams from the moment a socket connects, so a big ramp leaves the load
# generator a backlog to drain), and 35 s at least: the edge's first keepalive round (Pings at 30 s,
# server.keepAliveSeconds) runs code the JIT has not compiled yet, and a window that caught it spent
# a tenth of the edge's samples in the compiler, a one-time cost a long-running server never pays
# again. SETTLE_SECONDS overrides.
ramp=$(( players / 500 > 1 ? players / 500 : 1 ))
settle=$(( ramp * 2 > 35 ? ramp * 2 : 35 ))
settle="${SETTLE_SECONDS:-$settle}"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  # shellcheck disable=SC2086
  mvn ${MVN_FLAGS:-} -q -B -DskipTests package -pl benchmarks -am
fi
jar=distribution/target/mms-edge.jar
cp="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
command -v ffmpeg >/dev/null || { echo "ffmpeg is needed to make the 600 kbit/s broadcast" >&2; exit 1; }

# Every player is a socket in the edge and one in the load generator, each its own process with its
# own limit (two for a UDP player: TCP and UDP).
per_player=1; [[ " ${protocols[*]} " == *" mmsu "* ]] && per_player=2
need=$((per_player * players + 1024))
if (( $(ulimit -n) < need )); then
  ulimit -n "$(ulimit -Hn)" || true
  if (( $(ulimit -n) < need )); then
    echo "open-file limit $(ulimit -n) is below ${need}; raise it (ulimit -Hn is $(ulimit -Hn))" >&2
    exit 1
  fi
fi

tmp="$(mktemp -d /tmp/split-fanout.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [[ -n "${KEEP_TMP:-}" ]]; then echo "logs kept in $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

# A 120 s, ~600 kbit/s broadcast (WMV2 568k + WMA2 32k, a key frame per second), made here, never committed.
media="$tmp/live600.asf"
ffmpeg -nostdin -hide_banner -loglevel error -y \
  -f lavfi -i "testsrc2=size=640x480:rate=25:duration=120" \
  -f lavfi -i "sine=frequency=440:sample_rate=22050:duration=120" \
  -map 0:v -map 1:a -c:v wmv2 -b:v 568k -maxrate 568k -bufsize 568k -g 25 -c:a wmav2 -b:a 32k -ac 1 \
  -f asf "$media"
bitrate="$(java -jar "$jar" inspect "$media" | sed -n 's/.*"totalBitrate" : \([0-9]*\).*/\1/p' | head -1)"
packet_size="$(java -jar "$jar" inspect "$media" | sed -n 's/.*"packetSize" : \([0-9]*\).*/\1/p' | head -1)"

wait_http() { for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$1/metrics" >/dev/null && return 0; sleep 0.2; done; return 1; }
wait_port() { for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.2; done; return 1; }
rss_kb() { sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$1/status"; }
gc_rss_kb() { jcmd "$1" GC.run >/dev/null 2>&1 || true; sleep 0.5; rss_kb "$1"; } # RSS after a full GC
metric() { # metric PORT NAME_REGEX -> sum of matching samples
  curl -sf "http://127.0.0.1:$1/metrics" | awk -v re="$2" '$0 !~ /^#/ && $1 ~ re { s += $NF } END { printf "%.0f", s + 0 }'
}
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<< " $2"; }
busy_cores() { # busy_cores SECONDS: how many cores the whole machine kept busy over that long
  local a b; a=($(head -1 /proc/stat)); sleep "$1"; b=($(head -1 /proc/stat))
  awk -v s="$1" -v t="$(getconf CLK_TCK)" -v a="${a[*]}" -v b="${b[*]}" 'BEGIN { split(a, x); split(b, y)
    busy = 0; for (i = 2; i <= 9; i++) if (i != 5 && i != 6) busy += y[i] - x[i]; printf "%.2f", busy / t / s }'
}
wait_quiet() { # the machine is shared: wait (up to QUIET_WAIT s) until other work leaves it nearly idle
  local waited=0
  while (( waited < ${QUIET_WAIT:-600} )); do
    local b; b="$(busy_cores 2)"
    awk -v b="$b" 'BEGIN { exit !(b < 0.25) }' && return 0
    (( waited == 0 )) && echo "   (machine busy: ${b} cores in use by other work; waiting for it to go quiet)"
    waited=$((waited + 2))
  done
  echo "   (machine still busy after ${waited} s; measuring anyway: see 'everything else' below)"
}
clk="$(getconf CLK_TCK)"
ap_lib=""
if [[ -n "${PROFILE:-}" ]]; then
  mkdir -p "$PROFILE"; PROFILE="$(cd "$PROFILE" && pwd)"
  ap_jar="$(tr ':' '\n' < benchmarks/target/classpath.txt | grep '/async-profiler-[^/]*\.jar$')"
  (cd "$tmp" && unzip -q -o "$ap_jar" linux-x64/libasyncProfiler.so)
  ap_lib="$tmp/linux-x64/libasyncProfiler.so"
  # Loaded late, async-profiler cannot turn this on itself: without it the JIT keeps debug
  # information at safepoints only, and samples land on the nearest one, not where time went.
  server_jvm+=(-XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints)
fi
# In the background: profile the edge over one phase's measured window only (players connected
# and settled), loading async-profiler into the running JVM (the JVMTI agent_load of jcmd).
profile_window() { # profile_window PHASE
  sleep $((ramp + settle + 2)) # quoted below: jcmd would read the = in the options as its own
  jcmd "$edge_pid" JVMTI.agent_load "$ap_lib" "\"start,${PROFILE_OPTS:-event=cpu,interval=997us}\"" >/dev/null
  sleep $((seconds - 4))
  jcmd "$edge_pid" JVMTI.agent_load "$ap_lib" "\"stop,collapsed,file=$PROFILE/edge-$1.collapsed\"" >/dev/null
}

echo "== mms-edge: origin + splitting edge + ${players} players of each of: ${protocols[*]}; ${seconds} s measured each (bit rate ${bitrate} b/s)"
wait_quiet
broadcasts="${BROADCASTS:-1}"
lives=(--live "live=$media"); paths=()
if (( broadcasts > 1 )); then
  lives=(); for ((b = 0; b < broadcasts; b++)); do lives+=(--live "live$b=$media"); done
  paths=(--paths "$broadcasts")
fi
java "${server_jvm[@]}" -jar "$jar" origin --port "$origin_port" "${lives[@]}" --status-port "$origin_status" \
  > "$tmp/origin.log" 2>&1 &
origin_pid=$!; pids+=("$origin_pid")
wait_http "$origin_status"
java "${server_jvm[@]}" -jar "$jar" edge --port "$edge_port" --origin "mms://127.0.0.1:$origin_port" \
  --status-port "$edge_status" --write-merge-ms "$merge_ms" > "$tmp/edge.log" 2>&1 &
edge_pid=$!; pids+=("$edge_pid")
wait_http "$edge_status"
sleep 2
declare -A edge_line=() edge_idle_kb=() edge_idle_gc_kb=()
phase=0
for proto in "${protocols[@]}"; do
  # Each phase's memory is over the edge's idle RSS just before it (the later phase's idle includes
  # what the earlier one left: heap grown, pools).
  if (( phase++ > 0 )); then echo "   (${proto} phase)"; wait_quiet; sleep 2; fi
  edge_idle_kb[$proto]="$(rss_kb "$edge_pid")"; edge_idle_gc_kb[$proto]="$(gc_rss_kb "$edge_pid")"
  if [[ -n "$ap_lib" ]]; then profile_window "$proto" & prof_pid=$!; fi
  mode=(); [[ "$proto" == mmsh ]] && mode=(--mmsh); [[ "$proto" == mmsu ]] && mode=(--udp)
  edge_line[$proto]="$(java "${load_jvm[@]}" -cp "$cp" io.mmsedge.bench.FanoutLoad --port "$edge_port" --path live "${paths[@]}" \
    "${mode[@]}" --watch-pid "$edge_pid" --players "$players" --seconds "$seconds" --ramp-seconds "$ramp" \
    --settle-seconds "$settle" --clk-tck "$clk")"
  echo "   load generator (${proto}): ${edge_line[$proto]}"
  if [[ -n "$ap_lib" ]]; then
    wait "$prof_pid"
    java -cp "$cp" io.mmsedge.bench.FlameGraph "$PROFILE/edge-$proto.collapsed" "$PROFILE/edge-$proto.svg" 25 \
      "mms-edge, ${players} ${proto} players of one broadcast, ${PROFILE_OPTS:-cpu}" > "$PROFILE/top-$proto.txt"
    echo "   profile (${PROFILE_OPTS:-cpu}) of the measured window: $PROFILE/edge-$proto.svg, top frames in $PROFILE/top-$proto.txt"
  fi
done
origin_opened="$(metric "$origin_status" '^mmsedge_pp_sessions_opened_total[{].*publishing_point="live[0-9]*"')"
origin_now="$(metric "$origin_status" '^mmsedge_pp_sessions[{].*publishing_point="live[0-9]*"')"
edge_dropped="$(metric "$edge_status" '^mmsedge_broadcast_dropped_packets_total')"
edge_lag_disc="$(metric "$edge_status" '^mmsedge_broadcast_lag_disconnects_total')"
udp_sent="$(metric "$edge_status" '^mmsedge_udp_datagrams_sent_total')"
kill "$edge_pid" "$origin_pid"; wait "$edge_pid" "$origin_pid" 2>/dev/null || true
pids=()

raw_line=""; rawh_line=""
for raw_mode in shared ${RAW_OWN_HEADERS:+own}; do
echo "== raw baseline: RawFanout (${raw_mode} headers) + ${players} raw readers, ${seconds} s measured"
wait_quiet
java "${server_jvm[@]}" -cp "$cp" io.mmsedge.bench.RawFanout --port "$raw_port" --file "$media" \
  --merge-ms "$merge_ms" --own-headers "$([[ $raw_mode == own ]] && echo true || echo false)" > "$tmp/raw.log" 2>&1 &
raw_pid=$!; pids+=("$raw_pid")
wait_port "$raw_port"
sleep 2
raw_idle_kb="$(rss_kb "$raw_pid")"; raw_idle_gc_kb="$(gc_rss_kb "$raw_pid")"
line="$(java "${load_jvm[@]}" -cp "$cp" io.mmsedge.bench.FanoutLoad --raw --packet-size "$packet_size" \
  --port "$raw_port" --watch-pid "$raw_pid" --players "$players" --seconds "$seconds" --ramp-seconds "$ramp" \
  --settle-seconds "$settle" --clk-tck "$clk")"
echo "   load generator: $line"
kill "$raw_pid"; wait "$raw_pid" 2>/dev/null || true
pids=()
if [[ $raw_mode == shared ]]; then raw_line="$line"; raw_idle=("$raw_idle_kb" "$raw_idle_gc_kb"); else rawh_line="$line"; rawh_idle=("$raw_idle_kb" "$raw_idle_gc_kb"); fi
done
raw_skipped="$(sed -n 's/.*: \([0-9]*\) packet writes skipped.*/\1/p' "$tmp/raw.log")"

report() { # report NAME LINE IDLE_KB IDLE_AFTER_GC_KB
  local l="$2"
  awk -v name="$1" -v held="$(field playing "$l")" -v n="$(field players "$l")" -v mbps="$(field mbps "$l")" \
      -v bytes="$(field bytes "$l")" -v cpu="$(field cpu_s "$l")" -v rss="$(field rss_close_kb "$l")" -v idle="$3" \
      -v rssgc="$(field rss_gc_kb "$l")" -v idlegc="$4" -v lcpu="$(field load_cpu_s "$l")" -v secs="$(field seconds "$l")" \
      -v mcpu="$(field machine_cpu_s "$l")" -v cores="$(nproc)" \
      -v p50="$(field lag_p50_ms "$l")" -v p99="$(field lag_p99_ms "$l")" -v missed="$(field missed_packets "$l")" \
      -v cont="$(field continuity_errors "$l")" -v fail="$(field failures "$l")" 'BEGIN {
    printf "%-9s players held %d/%d  %.1f Mbit/s  CPU %.2f s/GB\n", name, held, n, mbps, cpu / (bytes / 1e9)
    printf "%-9s machine busy %.2f of %d cores: server %.2f, load generator %.2f, everything else (kernel softirq, other processes) %.2f\n", "",
      mcpu / secs, cores, cpu / secs, lcpu / secs, (mcpu - cpu - lcpu) / secs
    printf "%-9s RSS %.0f MB over idle %.0f MB = %.1f KB/player; after a full GC %.0f MB over %.0f MB = %.1f KB/player\n", "",
      rss / 1024, idle / 1024, (rss - idle) / n, rssgc / 1024, idlegc / 1024, (rssgc - idlegc) / n
    printf "%-9s lag p50 %d ms, p99 %d ms; missed packets %d, continuity errors %d, failures %d\n", "", p50, p99, missed, cont, fail }'
}
echo
echo "== results (${players} players, ${seconds} s, $(nproc) cores)"
for proto in "${protocols[@]}"; do
  report "$proto" "${edge_line[$proto]}" "${edge_idle_kb[$proto]}" "${edge_idle_gc_kb[$proto]}"
done
report "raw" "$raw_line" "${raw_idle[0]}" "${raw_idle[1]}"
[[ -n "$rawh_line" ]] && report "raw-own" "$rawh_line" "${rawh_idle[0]}" "${rawh_idle[1]}"
echo "mms-edge (all phases): origin sessions opened ${origin_opened} (open now ${origin_now}); slow-player drops at the edge ${edge_dropped} packets, lag disconnects ${edge_lag_disc}; UDP datagrams sent ${udp_sent}; raw baseline skipped ${raw_skipped:-?} writes"
for proto in "${protocols[@]}"; do
  awk -v name="$proto" -v em="$(field mbps "${edge_line[$proto]}")" -v rm="$(field mbps "$raw_line")" \
      -v ec="$(field cpu_s "${edge_line[$proto]}")" -v eb="$(field bytes "${edge_line[$proto]}")" \
      -v rc="$(field cpu_s "$raw_line")" -v rb="$(field bytes "$raw_line")" 'BEGIN {
    printf "%s ratios to the raw baseline: throughput %.3fx, CPU per GB %.2fx\n", name, em / rm, (ec / eb) / (rc / rb) }'
done
if [[ -n "$rawh_line" ]]; then
  for proto in "${protocols[@]}"; do
    awk -v name="$proto" -v ec="$(field cpu_s "${edge_line[$proto]}")" -v eb="$(field bytes "${edge_line[$proto]}")" \
        -v hc="$(field cpu_s "$rawh_line")" -v hb="$(field bytes "$rawh_line")" \
        -v rc="$(field cpu_s "$raw_line")" -v rb="$(field bytes "$raw_line")" 'BEGIN {
      printf "%s CPU per GB over the raw baseline with a header buffer per player: %.2fx (that baseline over the shared one: %.2fx)\n",
        name, (ec / eb) / (hc / hb), (hc / hb) / (rc / rb) }'
  done
fi
# Bytes are what each player read, its own framing included ($D prefix 12 bytes, MMS Data header 8).
if [[ -n "${edge_line[mms]:-}" && -n "${edge_line[mmsh]:-}" ]]; then
  awk -v hc="$(field cpu_s "${edge_line[mmsh]}")" -v hb="$(field bytes "${edge_line[mmsh]}")" \
      -v mc="$(field cpu_s "${edge_line[mms]}")" -v mb="$(field bytes "${edge_line[mms]}")" 'BEGIN {
    printf "CPU per GB of MMSH players over that of MMS/TCP players: %.2fx\n", (hc / hb) / (mc / mb) }'
fi
if [[ -n "${edge_line[mms]:-}" && -n "${edge_line[mmsu]:-}" ]]; then
  awk -v uc="$(field cpu_s "${edge_line[mmsu]}")" -v ub="$(field bytes "${edge_line[mmsu]}")" \
      -v mc="$(field cpu_s "${edge_line[mms]}")" -v mb="$(field bytes "${edge_line[mms]}")" 'BEGIN {
    printf "CPU per GB of UDP (mmsu) players over that of MMS/TCP players: %.2fx\n", (uc / ub) / (mc / mb) }'
fi
