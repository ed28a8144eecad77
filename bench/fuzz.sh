#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser that reads bytes from the network or the operator
# (the fuzz module: MMS frames and messages, ASF header/packet/index, client logs, subscriberName,
# MMSH requests and $-framing, the YAML config), with Jazzer (libFuzzer for the JVM), paranoid
# leak detection and an allocation bound per input (see fuzz/src/main/java/io/mmsedge/fuzz/Harness.java).
#
# Usage: bench/fuzz.sh [seconds-per-target] [target ...]   (default 600 s each, every target)
#        bench/fuzz.sh --seeds                              rewrite the committed seed corpus (fuzz/corpus)
# Environment: MVN_FLAGS (extra mvn options), SKIP_BUILD=1.
#
# Each target runs in its own JVM (libFuzzer fuzzes one target per process). The working corpus
# grows across runs in fuzz/target/fuzz/corpus/<target>; findings (crash-*, timeout-*) land in
# fuzz/target/fuzz/findings/<target>/, logs in fuzz/target/fuzz/<target>.log. A finding becomes a
# regression test by copying its file into fuzz/regressions/<target>/. Prints executions, exec/s,
# coverage (libFuzzer's cov/ft) per target and the total; exits 1 on any finding.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  # shellcheck disable=SC2086
  mvn ${MVN_FLAGS:-} -q -B -DskipTests test-compile -pl fuzz -am
fi
cp="fuzz/target/classes:$(cat fuzz/target/fuzz.classpath)"

if [[ "${1:-}" == "--seeds" ]]; then
  exec java -cp "$cp" -Dmmsedge.rootDir="$PWD" -Dlog4j2.configurationFile=log4j2-fuzz.xml \
    io.mmsedge.fuzz.SeedCorpus fuzz/corpus
fi

seconds="${1:-600}"
shift || true
exec java -cp "$cp" io.mmsedge.fuzz.FuzzRun fuzz "$seconds" "$@"
