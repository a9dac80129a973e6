# lib.sh - what the gstorm command's check scripts (test-cli,
# test-explore) share: their arguments, a temp dir, running a command
# under a time limit, and counting checks. Sourced, not run:
#
#     LIMIT=60 # seconds one command may take
#     . "$(dirname "$0")/lib.sh" "$@"
#     run "$G" --help
#     expect "gstorm --help exits 0" 0 out "usage: gstorm"
#     ...
#     finish
#
# It sets G (the gstorm binary, absolute), SRC (the source dir, absolute:
# the checks run in a temp dir) and T (that temp dir, removed at exit).
set -euo pipefail

LIB_NAME=$(basename "$0")
if [ $# -ne 2 ]; then
    echo "usage: bash ci/$LIB_NAME GSTORM_BINARY SOURCE_DIR" >&2
    exit 2
fi
G=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
if [ ! -x "$G" ]; then
    echo "$LIB_NAME: $G is not an executable" >&2
    exit 2
fi

# Every command runs under a time limit, so a hung run fails its check
# instead of hanging the test; the script sets LIMIT before sourcing.
LIMIT=${LIMIT:-60}

T=$(mktemp -d "${TMPDIR:-/tmp}/gstorm-$LIB_NAME.XXXXXX")
trap 'rm -rf "$T"' EXIT

pass=0
fail=0
rc=0

# run CMD...: runs CMD under the limit; its exit code goes in $rc, its
# output in $T/out and $T/err.
run() {
    rc=0
    timeout "$LIMIT" "$@" >"$T/out" 2>"$T/err" || rc=$?
}

# verdict NAME WHY: counts and prints one check; WHY is empty on success.
verdict() {
    if [ -z "$2" ]; then
        pass=$((pass + 1))
        echo "ok   $1"
    else
        fail=$((fail + 1))
        echo "FAIL $1: $2"
        echo "     stdout: $(head -c 300 "$T/out" | tr '\n' '|')"
        echo "     stderr: $(head -c 300 "$T/err" | tr '\n' '|')"
    fi
}

# expect NAME RC [out|err|errline|notout TEXT]...: checks the last run's
# exit code and that stdout/stderr contain TEXT (fixed strings); errline
# TEXT wants a stderr line equal to TEXT; notout TEXT, stdout without it.
expect() {
    local name=$1 want=$2 why=""
    shift 2
    if [ "$rc" -ne "$want" ]; then
        why="exit $rc, want $want"
    fi
    while [ $# -ge 2 ] && [ -z "$why" ]; do
        case $1 in
        out) grep -qF -- "$2" "$T/out" || why="stdout lacks '$2'" ;;
        err) grep -qF -- "$2" "$T/err" || why="stderr lacks '$2'" ;;
        errline) grep -qxF -- "$2" "$T/err" || why="no stderr line '$2'" ;;
        notout) ! grep -qF -- "$2" "$T/out" || why="stdout has '$2'" ;;
        *) why="bad expect kind '$1'" ;;
        esac
        shift 2
    done
    verdict "$name" "$why"
}

# finish prints "N passed, M failed" and exits 1 if any check failed.
finish() {
    echo
    echo "$pass passed, $fail failed"
    if [ "$fail" -ne 0 ]; then
        exit 1
    fi
}
