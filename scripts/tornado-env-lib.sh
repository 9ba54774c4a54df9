# Sourced by tornado-env.sh, ./rkflow and .ci/run (after scripts/java-env.sh): checks a TornadoVM
# SDK and picks the JDK it runs on. Sets no shell options and works under set -euo pipefail. Every
# check prints what to do and returns 1 on failure; nothing here exits.

# Our JVM flags on top of the SDK's tornado-argfile, the same as tornado/pom.xml's tests use: no
# silent fallback to Java, deliberate OpenCL flags, room for whole RK steps in one task graph.
# shellcheck disable=SC2034 # used by the scripts that source this file
RKFLOW_TORNADO_JVM_FLAGS="-Dtornado.recover.bailout=False -Dtornado.opencl.compiler.flags=-w -Dtornado.tvm.maxbytecodesize=65536 -Dtornado.max.events=2048"

# Prints the JDK line (21 or 25) the SDK at $1 was built for, or nothing. TornadoVM's version and
# branch carry it (version=5.2.1-jdk25-dev, branch=jdk25 in etc/tornado.release; the dist folder
# is tornadovm-<version>-<backend>); the Build-Jdk-Spec of its runtime jar is the fallback.
rkflow_tornado_jdk_line() {
    local line="" jar
    if [ -f "$1/etc/tornado.release" ]; then
        line=$(sed -n -e 's/^version=.*jdk\([0-9][0-9]*\).*/\1/p' -e 's/^branch=.*jdk\([0-9][0-9]*\).*/\1/p' \
            "$1/etc/tornado.release" | head -n 1) || true
    fi
    if [ -z "$line" ]; then
        line=$(basename "$(cd "$1" 2>/dev/null && pwd -P)" | sed -n 's/.*-jdk\([0-9][0-9]*\).*/\1/p') || true
    fi
    if [ -z "$line" ] && command -v unzip >/dev/null 2>&1; then
        for jar in "$1"/share/java/tornado/tornado-runtime-*.jar; do
            [ -f "$jar" ] || continue
            line=$(unzip -p "$jar" META-INF/MANIFEST.MF 2>/dev/null | tr -d '\r' | sed -n 's/^Build-Jdk-Spec: *\([0-9][0-9]*\).*/\1/p') || true
            break
        done
    fi
    echo "$line"
}

# Prints the SDK's backends, comma-separated without the "-backend" suffix: opencl,ptx
rkflow_tornado_backends() {
    sed -n 's/^tornado\.backends=//p' "$1/etc/tornado.backend" 2>/dev/null | head -n 1 | sed 's/-backend//g'
}

# Prints the SDK's version (5.2.1-jdk25-dev), or "unknown version".
rkflow_tornado_version() {
    local v
    v=$(sed -n 's/^version=//p' "$1/etc/tornado.release" 2>/dev/null | head -n 1) || true
    echo "${v:-unknown version}"
}

# Returns 0 when $1 looks like a TornadoVM SDK; otherwise says what is wrong and returns 1.
rkflow_tornado_check_sdk() {
    local sdk="$1" missing="" libdir
    if [ ! -d "$sdk" ]; then
        echo "rkflow: TornadoVM SDK folder '$sdk' does not exist." >&2
        rkflow_tornado_hint_sdk
        return 1
    fi
    [ -x "$sdk/bin/tornado" ] || missing="$missing bin/tornado"
    [ -f "$sdk/tornado-argfile" ] || missing="$missing tornado-argfile"
    [ -d "$sdk/share/java/tornado" ] || missing="$missing share/java/tornado/"
    if [ -n "$missing" ]; then
        echo "rkflow: '$sdk' is not a TornadoVM SDK: it lacks$missing." >&2
        if [ -f "$sdk/tornado-argfile.template" ] && [ -x "$sdk/bin/tornado" ] && [ ! -f "$sdk/tornado-argfile" ]; then
            echo "rkflow: create the argfile with: TORNADOVM_HOME='$sdk' '$sdk/bin/tornado' --generate-argfile" >&2
        else
            rkflow_tornado_hint_sdk
        fi
        return 1
    fi
    # The argfile holds absolute paths of where the SDK was built; a moved SDK needs a new one.
    libdir=$(sed -n 's/^-Djava\.library\.path=//p' "$sdk/tornado-argfile" | head -n 1) || true
    if [ -n "$libdir" ] && [ ! -d "$libdir" ]; then
        echo "rkflow: $sdk/tornado-argfile points at $libdir, which does not exist (was the SDK moved?)." >&2
        echo "rkflow: regenerate it with: TORNADOVM_HOME='$sdk' '$sdk/bin/tornado' --generate-argfile" >&2
        return 1
    fi
    return 0
}

rkflow_tornado_hint_sdk() {
    echo "rkflow: TORNADOVM_HOME must name a TornadoVM SDK: the folder with bin/tornado, tornado-argfile and" \
        "share/java/tornado/, e.g. <TornadoVM checkout>/dist/tornadovm-<version>-<backend>-linux-amd64/tornadovm-<version>-<backend>." >&2
    echo "rkflow: build one from TornadoVM's sources (https://github.com/beehive-lab/TornadoVM/blob/master/INSTALL_FROM_SOURCE.md)," \
        "or unset TORNADOVM_HOME to use the JVM device only." >&2
}

# Prints JDK folders of feature version $1 found in the usual places (the list of java-env.sh).
rkflow_tornado_jdks_of() {
    local candidate
    for candidate in /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
        [ -d "$candidate" ] || continue
        [ "$(rkflow_java_feature "$candidate")" = "$1" ] && echo "$candidate"
    done
    return 0
}

# Makes JAVA_HOME a JDK of the SDK's line: keeps a set JAVA_HOME that matches, refuses one that
# does not (saying which to set), and when JAVA_HOME is unset exports a matching JDK it finds.
rkflow_tornado_select_jdk() {
    local sdk="$1" line feature found
    line=$(rkflow_tornado_jdk_line "$sdk")
    if [ -z "$line" ]; then
        echo "rkflow: cannot tell which JDK the TornadoVM SDK at $sdk was built for" \
            "(no jdkNN in etc/tornado.release or in the folder name)." >&2
        return 1
    fi
    found=$(rkflow_tornado_jdks_of "$line" | head -n 1) || true
    if [ -n "${JAVA_HOME:-}" ]; then
        feature=$(rkflow_java_feature "$JAVA_HOME")
        [ "$feature" = "$line" ] && return 0
        echo "rkflow: the TornadoVM SDK at $sdk ($(rkflow_tornado_version "$sdk")) is built for JDK $line," \
            "but JAVA_HOME=$JAVA_HOME is $(if [ -n "$feature" ]; then echo "JDK $feature"; else echo "not a JDK (no bin/java and bin/javac)"; fi)." >&2
        echo "rkflow: TornadoVM runs only on the JDK line it was built for (it plugs into that JVM through JVMCI)." >&2
        rkflow_tornado_hint_jdk "$line" "$found" "$feature"
        return 1
    fi
    if rkflow_find_jdk 2>/dev/null && [ "$(rkflow_java_feature "$JAVA_HOME")" = "$line" ]; then
        return 0
    fi
    unset JAVA_HOME
    if [ -n "$found" ]; then
        export JAVA_HOME="$found"
        return 0
    fi
    echo "rkflow: the TornadoVM SDK at $sdk ($(rkflow_tornado_version "$sdk")) is built for JDK $line, and no JDK $line was found" \
        "(JAVA_HOME is unset; looked on PATH and in /usr/lib/jvm, /opt, ~/.sdkman, ~/.jdks)." >&2
    rkflow_tornado_hint_jdk "$line" "" ""
    return 1
}

rkflow_tornado_hint_jdk() { # line, a matching JDK found or "", the current feature or ""
    if [ -n "$2" ]; then
        echo "rkflow: fix: export JAVA_HOME=$2" >&2
    else
        echo "rkflow: fix: install a JDK $1 (e.g. Temurin $1$( [ "$1" = 25 ] && echo ', 25.0.2 or newer')) and export JAVA_HOME=<that JDK>." >&2
    fi
    case "$3" in
        21|25) echo "rkflow: or use a TornadoVM SDK built for JDK $3 (TornadoVM's jdk$3 line) instead." >&2 ;;
    esac
}

# Checks the SDK at $1 and selects its JDK (see above). 0 when both are fine.
rkflow_tornado_setup() {
    rkflow_tornado_check_sdk "$1" && rkflow_tornado_select_jdk "$1"
}

# One line about the SDK at $1: "TornadoVM 5.2.1-jdk25-dev (JDK 25 line; backends: opencl)"
rkflow_tornado_describe() {
    echo "TornadoVM $(rkflow_tornado_version "$1") (JDK $(rkflow_tornado_jdk_line "$1") line; backends: $(rkflow_tornado_backends "$1"))"
}

# The module name the jar $1 has on the module path: its Automatic-Module-Name, else the one
# derived from the file name (rkflow.jar -> rkflow, rkflow-tornado.jar -> rkflow.tornado).
rkflow_tornado_module_name() {
    local name=""
    if [ -f "$1" ] && command -v unzip >/dev/null 2>&1; then
        name=$(unzip -p "$1" META-INF/MANIFEST.MF 2>/dev/null | tr -d '\r' | sed -n 's/^Automatic-Module-Name: *//p') || true
    fi
    if [ -z "$name" ]; then
        name=$(basename "$1" .jar | sed 's/-[0-9].*$//; s/[^A-Za-z0-9]\{1,\}/./g; s/^\.//; s/\.$//')
    fi
    echo "$name"
}
