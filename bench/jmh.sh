#!/usr/bin/env bash
# JMH micro-benchmarks of hot code (benchmarks/src/main/java/io/mmsedge/bench/jmh).
# Usage: bench/jmh.sh [JMH args], e.g. bench/jmh.sh CacheReadBenchmark
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -DskipTests package -pl benchmarks -am
CP="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
exec java -Dlog4j2.configurationFile=log4j2-bench.xml -cp "$CP" org.openjdk.jmh.Main "$@"
