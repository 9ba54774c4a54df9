#!/usr/bin/env bash
# Runs in an unpacked rkflow-gpu bundle (scripts/gpu-bundle.sh) on a machine with no JDK and no
# network: lists the TornadoVM devices, runs the TornadoVM device's tests (the conformance kit, the
# fused kernels with each GEMM variant, the GEMM variants, the plan tests, the same-loss-curve test)
# on each chosen device, then the fusion benchmark: fusion level × CUDA graph on/off × model →
# kernels/step, wall and device ms/step, and GEMM GFLOP/s per shape and variant, and the stage
# combination's GB/s. Everything goes to OUT_DIR (default: $OUT, else ./rkflow-gpu-results).
# Usage: gpu-check.sh [--quick] [--no-tests] [--tests REGEX] [--no-bench] [--devices ID,ID] [OUT_DIR]
#   --devices  TornadoVM device ids (default: every GPU TornadoVM lists, else every device)
#   --tests    only the test classes whose name matches REGEX (JUnit's --include-classname)
#   --quick    short benchmark runs
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
quick=""
tests=1
classes='.*Test'
bench=1
devices=""
out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick="--quick" ;;
        --no-tests) tests=0 ;;
        --no-bench) bench=0 ;;
        --tests) classes="${2:?--tests needs a value}"; shift ;;
        --devices) devices="${2:?--devices needs a value}"; shift ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "gpu-check: unknown option '$1'" >&2; exit 2 ;;
        *) out="$1" ;;
    esac
    shift
done
out=${out:-${OUT:-$PWD/rkflow-gpu-results}}
mkdir -p "$out"
out=$(cd "$out" && pwd)
export JAVA_HOME="$here/jdk"
export TORNADOVM_HOME="$here/sdk"
# the SDK's argfile names the folder it was built in: point it here
sed "s#$(cat "$here/sdk/ORIGINAL_PATH")#$here/sdk#g" "$here/sdk/tornado-argfile.in" >"$here/sdk/tornado-argfile"
flags=(-Dtornado.recover.bailout=False -Dtornado.opencl.compiler.flags=-w -Dtornado.tvm.maxbytecodesize=65536 -Dtornado.max.events=2048
    "-Drkflow.tornado.gemm.cache=$out/tornado-gemm.properties")
run_java() {
    "$JAVA_HOME/bin/java" @"$TORNADOVM_HOME/tornado-argfile" --module-path "$TORNADOVM_HOME/share/java/tornado" \
        "${flags[@]}" "$@"
}
log() { echo "gpu-check: $*" | tee -a "$out/summary.txt" >&2; }
: >"$out/summary.txt"
cat "$here/BUNDLE" | tee -a "$out/summary.txt"
command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi >"$out/nvidia-smi.txt" 2>&1
lib="$here/lib"
cp="$lib/rkflow.jar:$lib/rkflow-tornado.jar"
cd "$out"
run_java -cp "$cp" io.rkflow.train.cli.Main devices >"$out/devices.txt" 2>&1
cat "$out/devices.txt" | tee -a "$out/summary.txt"
if [ -z "$devices" ]; then
    devices=$(grep -o '^ *tornado:[0-9]*:[0-9]* .*GPU' "$out/devices.txt" | awk '{print $1}' | paste -sd, -)
    [ -n "$devices" ] || devices=$(grep -o '^ *tornado:[0-9]*:[0-9]*' "$out/devices.txt" | awk '{print $1}' | paste -sd, -)
fi
if [ -z "$devices" ]; then
    log "TornadoVM lists no devices (see devices.txt)"
    exit 1
fi
log "devices: $devices"
failed=0
launcher=$(ls "$lib"/junit-platform-console-standalone-*.jar | head -n 1)
tcp="$cp:$(ls "$lib"/*-tests.jar | paste -sd: -):$launcher"
IFS=, read -r -a ids <<<"$devices"
for id in "${ids[@]}"; do
    tag=${id//:/-}
    if [ "$tests" = 1 ]; then
        log "$id: tests ..."
        start=$(date +%s)
        run_java -Xmx16g "-Drkflow.tornado.device=$id" -cp "$tcp" org.junit.platform.console.ConsoleLauncher execute \
            --select-package io.rkflow.tornado --include-classname "$classes" --reports-dir "$out/junit-$tag" --details summary --disable-banner \
            >"$out/tests-$tag.txt" 2>&1
        rc=$?
        log "$id: tests exit $rc in $(($(date +%s) - start)) s: $(grep -E 'tests (successful|failed)' "$out/tests-$tag.txt" | tr -s ' ' | paste -sd';' -)"
        [ $rc = 0 ] || failed=1
    fi
    if [ "$bench" = 1 ]; then
        for workload in "784-128-10:relu 64 --no-gemm" "784-1024-1024-10:relu 128"; do
            read -r model batch more <<<"$workload"
            log "$id: fusion benchmark, $model @ $batch ..."
            mkdir -p "$out/bench-$tag"
            (cd "$out/bench-$tag" && run_java -Xmx16g -jar "$lib/tornado-benchmarks.jar" --device "$id" --model "$model" \
                --batch "$batch" $quick $more) >"$out/bench-$tag/${model%%:*}.txt" 2>&1
            rc=$?
            log "$id: benchmark exit $rc ($out/bench-$tag/${model%%:*}.txt)"
            [ $rc = 0 ] || failed=1
        done
    fi
done
log "done; results in $out"
exit $failed
