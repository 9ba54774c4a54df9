# Sourced by rkflow's scripts: exports JAVA_HOME pointing at a JDK 21 or newer.
# Looks at $JAVA_HOME, then the java on PATH, then the usual JDK folders; the newest wins
# among the folders. Prints what to do and returns 1 when there is none.

rkflow_java_feature() { # prints the feature version of the JDK at $1, or nothing
    local v
    [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
    v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')
    echo "${v%%.*}"
}

rkflow_find_jdk() {
    local candidate feature best="" best_feature=0
    if [ -n "${JAVA_HOME:-}" ]; then
        feature=$(rkflow_java_feature "$JAVA_HOME")
        if [ -n "$feature" ] && [ "$feature" -ge 21 ]; then
            return 0
        fi
    fi
    if command -v javac >/dev/null 2>&1; then
        candidate=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
        feature=$(rkflow_java_feature "$candidate")
        if [ -n "$feature" ] && [ "$feature" -ge 21 ]; then
            export JAVA_HOME="$candidate"
            return 0
        fi
    fi
    for candidate in /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
        [ -d "$candidate" ] || continue
        feature=$(rkflow_java_feature "$candidate")
        if [ -n "$feature" ] && [ "$feature" -ge 21 ] && [ "$feature" -gt "$best_feature" ]; then
            best="$candidate"
            best_feature="$feature"
        fi
    done
    if [ -n "$best" ]; then
        export JAVA_HOME="$best"
        return 0
    fi
    echo "rkflow needs a JDK 21 or newer and found none (JAVA_HOME=${JAVA_HOME:-unset}, java on PATH:" \
        "$(java -version 2>&1 | head -n 1 || echo none))." >&2
    echo "Install one (Debian: apt-get install openjdk-21-jdk, or a Temurin 21/25 JDK) and set JAVA_HOME to it." >&2
    return 1
}

# Runs "$@" (a JVM started with --add-modules jdk.incubator.vector) without the "Using incubator
# modules" warning such a JVM prints on every start; stdout and the rest of stderr pass through
# unchanged, and the command's exit status is returned. The filter ignores SIGINT and SIGTERM, so
# that what the JVM prints while it stops on Ctrl-C still gets through.
rkflow_run_java() {
    local options=$- rc
    set +e
    { "$@" 2>&1 1>&3 3>&- | (trap '' INT TERM; exec grep -v --line-buffered \
        '^WARNING: Using incubator modules: jdk.incubator.vector$' >&2); } 3>&1
    rc=${PIPESTATUS[0]}
    case $options in *e*) set -e ;; esac
    return "$rc"
}
