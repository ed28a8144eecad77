#!/usr/bin/env bash
# The soak of issue #17 (not in CI; CI runs distribution's faults.soak.SoakTest for 2 minutes):
# an origin and a caching, splitting edge, N players playing session after session of a mix
# (cache hits, misses, seeks, a split, abrupt disconnects) for M minutes at real time. Prints
# RSS, file descriptors, direct memory and the cache index every S seconds, and whether they
# stayed flat; exits 1 if not, or if more than 1% of sessions failed.
# Usage: bench/soak.sh [players] [minutes] [sample-seconds]      (defaults 1000, 60, 30)
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 65536 2>/dev/null || true
mvn -q -B -DskipTests package -pl benchmarks -am
CP="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
exec java -Xmx2g -Dlog4j2.configurationFile=log4j2-bench.xml -cp "$CP" io.mmsedge.bench.SoakBench "$@"
