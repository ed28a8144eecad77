#!/usr/bin/env bash
# The edge's cache against the origin, measured in the same run: time to first data packet of a
# cache hit vs direct (p50/p90/p99), and aggregate throughput of N concurrent players from the
# cache vs direct; hits checked before the open is answered, checked beside it (overlapCheck) and
# trusted (trustSeconds). Usage: bench/cache.sh [sessions] [players] [seconds-per-phase] [nofill]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -DskipTests package -pl benchmarks -am
CP="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
exec java -Xmx2g -Dlog4j2.configurationFile=log4j2-bench.xml -cp "$CP" io.mmsedge.bench.CacheBench "$@"
