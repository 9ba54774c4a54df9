#!/usr/bin/env bash
# Packs what a bare GPU machine (no JDK, no network) needs to check and measure rkflow's TornadoVM
# device into one archive: a jlinked JDK runtime of the SDK's line, a trimmed copy of the TornadoVM
# SDK at $TORNADOVM_HOME (every backend it was built with), rkflow's jars and test classes, JUnit's
# console launcher (from Maven Central), and scripts/gpu-check.sh. On the GPU machine:
#     tar xf rkflow-gpu.tar.xz && rkflow-gpu/gpu-check.sh [--quick] [OUT_DIR]
# Usage: scripts/gpu-bundle.sh [ARCHIVE]   (default target/rkflow-gpu.tar.xz)
# The TornadoVM SDK is built outside this repository (README: The TornadoVM device); nothing of it
# is committed, and the archive goes under target/, which git ignores.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
fi
archive=${1:-target/rkflow-gpu.tar.xz}
case "$archive" in /*) ;; *) archive="$root/$archive" ;; esac
. scripts/java-env.sh
. scripts/tornado-env-lib.sh
if [ -z "${TORNADOVM_HOME:-}" ]; then
    echo "gpu-bundle: TORNADOVM_HOME is not set; run 'source tornado-env.sh <SDK folder>' first" >&2
    exit 1
fi
rkflow_tornado_setup "$TORNADOVM_HOME" || exit 1
sdk=$(cd "$TORNADOVM_HOME" && pwd)
for tool in jlink jar; do
    [ -x "$JAVA_HOME/bin/$tool" ] || { echo "gpu-bundle: $JAVA_HOME has no bin/$tool (a full JDK is needed)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
b="$work/rkflow-gpu"
mkdir -p "$b/lib" "$b/sdk"

echo "gpu-bundle: building rkflow with the tornado module ..." >&2
./mvnw -q -B -Ptornado -pl train,tornado -am package -DskipTests
junit=$(sed -n 's:.*<junit.version>\(.*\)</junit.version>.*:\1:p' pom.xml | head -n 1)
platform="1.${junit#5.}" # JUnit Jupiter 5.x.y ships with Platform 1.x.y
./mvnw -q -B org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="org.junit.platform:junit-platform-console-standalone:$platform" -DoutputDirectory="$b/lib"
cp train/target/rkflow.jar tornado/target/rkflow-tornado.jar tornado/target/tornado-benchmarks.jar "$b/lib/"
for t in kernels models solvers; do
    cp "$t"/target/rkflow-"$t"-*-tests.jar "$b/lib/" 2>/dev/null || true
done
"$JAVA_HOME/bin/jar" --create --file "$b/lib/rkflow-tornado-tests.jar" -C tornado/target/test-classes .

echo "gpu-bundle: linking a Java runtime ..." >&2
# the modules of TornadoVM, Graal and rkflow (jar --describe-module on each), JVMCI for the compiler
"$JAVA_HOME/bin/jlink" --add-modules java.base,java.logging,java.management,java.desktop,java.compiler,java.xml,\
java.naming,java.sql,java.instrument,jdk.internal.vm.ci,jdk.unsupported,jdk.incubator.vector,jdk.management,jdk.zipfs \
    --strip-debug --no-man-pages --no-header-files --strip-native-debug-symbols=exclude-debuginfo-files \
    --output "$b/jdk" 2> >(grep -v 'incubator' >&2)
# left uncompressed: xz over the whole archive packs it tighter than jlink's zip
if command -v strip >/dev/null 2>&1; then
    strip --strip-unneeded "$b/jdk/lib/server/libjvm.so"
fi

echo "gpu-bundle: copying the TornadoVM SDK (without its examples, benchmarks and tests) ..." >&2
cp -r "$sdk/bin" "$sdk/etc" "$sdk/lib" "$sdk/share" "$b/sdk/"
cp "$sdk/tornado-argfile" "$b/sdk/tornado-argfile.in"
printf '%s\n' "$sdk" >"$b/sdk/ORIGINAL_PATH"
# jars no module of the runtime, a driver or rkflow requires (TornadoVM's own benchmarks, examples,
# unit tests and their libraries; tornado.runtime requires commons.math3 and snmp4j, which stay)
(cd "$b/sdk/share/java/tornado" && rm -f tornado-benchmarks-*.jar tornado-examples-*.jar tornado-unittests-*.jar \
    tornado-fuzz-*.jar tornado-matrices-*.jar lucene-core-*.jar ejml-*.jar junit-*.jar hamcrest-*.jar \
    jmh-core-*.jar jopt-simple-*.jar)
rm -rf "$b/sdk/examples"
cp scripts/gpu-check.sh "$b/gpu-check.sh"
chmod +x "$b/gpu-check.sh"
# the boot layer must resolve with the trimmed SDK for every backend it has (a module a driver
# requires and the trimming removed stops the JVM at once, GPU or not)
sed "s#$sdk#$b/sdk#g" "$b/sdk/tornado-argfile.in" >"$b/sdk/tornado-argfile"
smoke=$("$b/jdk/bin/java" @"$b/sdk/tornado-argfile" --module-path "$b/sdk/share/java/tornado" \
    -cp "$b/lib/rkflow.jar:$b/lib/rkflow-tornado.jar" io.rkflow.train.cli.Main devices 2>&1) || true
if grep -q 'initialization of boot layer' <<<"$smoke"; then
    echo "gpu-bundle: the bundled runtime does not start TornadoVM:" >&2
    echo "$smoke" >&2
    exit 1
fi
rm "$b/sdk/tornado-argfile"
{
    echo "rkflow $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "TornadoVM: $(rkflow_tornado_describe "$sdk")"
    echo "Java runtime: $("$b/jdk/bin/java" -version 2>&1 | head -n 1)"
    echo "made $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$b/BUNDLE"

mkdir -p "$(dirname "$archive")"
echo "gpu-bundle: compressing ..." >&2
tar -C "$work" -cf - rkflow-gpu | xz -9 -T0 >"$archive.tmp"
mv "$archive.tmp" "$archive"
echo "gpu-bundle: $archive ($(du -h "$archive" | cut -f1)); on the GPU machine: tar xf $(basename "$archive") && rkflow-gpu/gpu-check.sh"
