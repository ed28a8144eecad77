#!/usr/bin/env bash
# Start-up latency: time to first data packet through the edge vs direct to the origin,
# measured in the same run (p50/p90/p99). Usage: bench/first-packet-latency.sh [sessions] [warmup]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -DskipTests package -pl benchmarks -am
CP="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
exec java -Xmx512m -Dlog4j2.configurationFile=log4j2-bench.xml -cp "$CP" io.mmsedge.bench.FirstPacketLatency "$@"
