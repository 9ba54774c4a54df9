#!/usr/bin/env bash
# Builds the JMH benchmarks and runs them, printing the CPU and the JVM device's GEMM choice, the fp32
# peak and a GEMM table (GFLOP/s, % of the peak), and a stage-combination table (GB/s against a plain
# copy). Options: bench.sh --help; JVM options for every benchmark JVM: RKFLOW_BENCH_JVM_ARGS.
# bench.sh --tornado [options] runs the TornadoVM fusion benchmark instead (needs TORNADOVM_HOME,
# see tornado-env.sh): an RK step as one plan against one plan per kernel, the stage combination
# fused against unfused, wall times from JMH and device times from TornadoVM's profiler.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/java-env.sh
if [ "${1:-}" = "--tornado" ]; then
    shift
    . scripts/tornado-env-lib.sh
    if [ -z "${TORNADOVM_HOME:-}" ]; then
        echo "bench.sh --tornado: TORNADOVM_HOME is not set; run 'source tornado-env.sh <SDK folder>' first" >&2
        exit 1
    fi
    rkflow_tornado_setup "$TORNADOVM_HOME" || exit 1
    ./mvnw -q -B -Ptornado -pl tornado -am package -DskipTests
    read -r -a ours <<<"$RKFLOW_TORNADO_JVM_FLAGS"
    exec "$JAVA_HOME/bin/java" @"$TORNADOVM_HOME/tornado-argfile" --module-path "$TORNADOVM_HOME/share/java/tornado" \
        "${ours[@]}" -Xmx6g -jar tornado/target/tornado-benchmarks.jar "$@"
fi
rkflow_find_jdk
unset TORNADOVM_HOME # the JVM benchmarks do not need the tornado profile
./mvnw -q -B -pl bench -am package -DskipTests
# RKFLOW_BENCH_JVM_ARGS (e.g. -XX:UseAVX=2): options of this JVM, which JMH's benchmark JVMs inherit
read -r -a extra <<<"${RKFLOW_BENCH_JVM_ARGS:-}"
exec "$JAVA_HOME/bin/java" ${extra[@]+"${extra[@]}"} --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar "$@"
