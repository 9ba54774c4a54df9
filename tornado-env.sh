# Sets up this shell for rkflow's TornadoVM device. Source it (bash):
#
#     source tornado-env.sh [TORNADOVM_SDK_FOLDER]
#
# It sets TORNADOVM_HOME (the argument, else the TORNADOVM_HOME already set), checks that the folder
# is a TornadoVM SDK, makes JAVA_HOME a JDK of the SDK's line (21 or 25; it keeps a matching
# JAVA_HOME and refuses another), puts $TORNADOVM_HOME/bin on PATH once, lists TornadoVM's devices
# and prints the build and run commands. On any failure it says what to do and returns non-zero
# (before the device listing it changes no variable). It sets no shell options.

if ! (return 0 2>/dev/null); then
    echo "tornado-env.sh sets variables in your shell, so it must be sourced, not run:" >&2
    echo "    source ${0} [TORNADOVM_SDK_FOLDER]" >&2
    exit 2
fi
if [ -z "${BASH_VERSION:-}" ]; then
    echo "tornado-env.sh needs bash; run: bash, then: source tornado-env.sh [TORNADOVM_SDK_FOLDER]" >&2
    return 2
fi

_rkflow_tornado_env_main() {
    local root sdk old devices rc models
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)" || return 1
    . "$root/scripts/java-env.sh" || return 1
    . "$root/scripts/tornado-env-lib.sh" || return 1
    if [ $# -gt 1 ]; then
        echo "usage: source tornado-env.sh [TORNADOVM_SDK_FOLDER]" >&2
        return 2
    fi
    sdk="${1:-${TORNADOVM_HOME:-}}"
    if [ -z "$sdk" ]; then
        echo "tornado-env.sh: which TornadoVM SDK? Pass its folder: source tornado-env.sh /path/to/sdk" \
            "(or set TORNADOVM_HOME first)." >&2
        rkflow_tornado_hint_sdk
        return 1
    fi
    if [ -d "$sdk" ]; then
        sdk="$(cd "$sdk" && pwd)" || return 1
    fi
    rkflow_tornado_setup "$sdk" || return 1

    old="${TORNADOVM_HOME:-}"
    export TORNADOVM_HOME="$sdk"
    if [ -n "$old" ] && [ "$old" != "$sdk" ]; then # drop a previous SDK's bin from PATH
        PATH=":$PATH:"
        while [[ "$PATH" == *":$old/bin:"* ]]; do PATH="${PATH//":$old/bin:"/:}"; done
        PATH="${PATH#:}"
        PATH="${PATH%:}"
    fi
    case ":$PATH:" in
        *":$TORNADOVM_HOME/bin:"*) ;;
        *) export PATH="$TORNADOVM_HOME/bin:$PATH" ;;
    esac

    echo "TORNADOVM_HOME=$TORNADOVM_HOME: $(rkflow_tornado_describe "$TORNADOVM_HOME")"
    echo "JAVA_HOME=$JAVA_HOME ($("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1))"
    echo "tornado --devices:"
    if command -v timeout >/dev/null 2>&1; then
        devices=$(timeout 120 tornado --devices 2>&1)
    else
        devices=$(tornado --devices 2>&1)
    fi
    rc=$?
    printf '%s\n' "$devices" | grep -v '^WARNING: Using incubator modules' | sed '/^$/d; s/^/    /'
    if [ "$rc" != 0 ] || ! printf '%s\n' "$devices" | grep -q 'Tornado device='; then
        echo "tornado-env.sh: TornadoVM lists no device (tornado --devices: exit code $rc$( [ "$rc" = 124 ] && echo ', timed out after 120 s'))." >&2
        echo "tornado-env.sh: the variables are set, but nothing will run on TornadoVM until it does: install the" \
            "driver of the SDK's backend ($(rkflow_tornado_backends "$TORNADOVM_HOME"); OpenCL: an ICD such as" \
            "pocl-opencl-icd or the GPU vendor's, check with 'clinfo -l'; PTX: the NVIDIA driver and CUDA)." >&2
        return 1
    fi

    models="$root/train/target/rkflow.jar"
    cat <<EOF

In $root:
  build and test everything, the tornado module included (TORNADOVM_HOME switches its profile on):
    ./mvnw -B verify
  only the jars (train/target/rkflow.jar, tornado/target/rkflow-tornado.jar):
    ./mvnw -B -Ptornado -pl train,tornado -am package -DskipTests
  train on TornadoVM's device 0:0 (./rkflow rebuilds the jars when the sources change):
    ./rkflow train --device tornado:0:0
  the devices rkflow sees (jvm, tornado:<backend>:<device>):
    ./rkflow devices
  the plain JVM path, TornadoVM left out:
    RKFLOW_NO_TORNADO=1 ./rkflow train
  the same training through TornadoVM's own launcher:
    tornado --jvm="-Xmx6g $RKFLOW_TORNADO_JVM_FLAGS" \\
      --module-path train/target/rkflow.jar:tornado/target/rkflow-tornado.jar \\
      -m $(rkflow_tornado_module_name "$models")/io.rkflow.train.cli.Main --params "train --device tornado:0:0"
  the fusion benchmark (one plan per RK step against one per kernel; JMH and TornadoVM's profiler):
    ./bench.sh --tornado --quick
EOF
}

# Runs the above where `set -e` cannot stop it half-way, then removes both functions from the shell.
_rkflow_tornado_env() {
    local rc=0
    _rkflow_tornado_env_main "$@" || rc=$?
    unset -f _rkflow_tornado_env_main _rkflow_tornado_env
    return "$rc"
}
_rkflow_tornado_env "$@" || return
