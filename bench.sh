#!/usr/bin/env bash
# Builds the JMH benchmarks and runs them, printing a GEMM table (GFLOP/s) and a stage-combination
# table (GB/s against a plain copy). Options: bench.sh --help.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/java-env.sh
rkflow_find_jdk
./mvnw -q -B -pl bench -am package -DskipTests
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar "$@"
