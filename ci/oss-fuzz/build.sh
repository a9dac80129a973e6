#!/usr/bin/env bash
# build.sh - build gstorm's fuzz targets the OSS-Fuzz way: with the
# compiler, flags and engine that the environment names, into $OUT. It
# is OSS-Fuzz's build.sh (ci/oss-fuzz/Dockerfile copies it to $SRC) and
# ClusterFuzzLite's (.clusterfuzzlite/build.sh runs it), and it runs
# here as well with the same environment (ci/test-oss-fuzz).
#
#   CC, CXX            the compilers (OSS-Fuzz links with $CXX)
#   CFLAGS             instrumentation and sanitizers, e.g. -fsanitize=
#                      address -fsanitize=fuzzer-no-link
#   LIB_FUZZING_ENGINE the engine's link argument: -fsanitize=fuzzer, or
#                      a library with its own main (libAFLDriver.a)
#   OUT                where the targets go (must exist)
#   WORK               scratch space for the build (default: a temp dir)
#
# The targets are the directories corpus/fuzz_*/ that have a CMake
# target of the same name (a corpus without one is skipped with a note).
# For each target T it writes $OUT/T (the binary), $OUT/T_seed_corpus.zip
# (corpus/T/seed and corpus/T/regress, flat), $OUT/T.dict and
# $OUT/T.options (when corpus/T has them). Every file lands atomically:
# written beside its name, then renamed.
#
# Exit codes: 0 built; 2 a missing variable or source tree, or a path in
# $OUT that is not a regular file; 3 the build or packaging failed.
set -euo pipefail

me=oss-fuzz/build.sh
die() {
    echo "$me: $2" >&2
    exit "$1"
}

for v in CC CXX LIB_FUZZING_ENGINE OUT; do
    [ -n "${!v:-}" ] || die 2 "\$$v is not set (see the top of this file)"
done
[ -n "${CFLAGS+set}" ] || die 2 "\$CFLAGS is not set (it may be empty)"
[ -d "$OUT" ] || die 2 "\$OUT=$OUT is not a directory"
OUT=$(cd "$OUT" && pwd)

# The source tree: the one this script lives in, else the working
# directory (OSS-Fuzz runs a copy of it at $SRC/build.sh, in WORKDIR).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -f "$here/../../fuzz/fuzz.h" ]; then
    root=$(cd "$here/../.." && pwd)
elif [ -f "$PWD/fuzz/fuzz.h" ]; then
    root=$PWD
else
    die 2 "no gstorm source tree at $here/../.. or $PWD"
fi

cleanup=""
if [ -z "${WORK:-}" ]; then
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/gstorm-oss-fuzz.XXXXXX")
    cleanup=$WORK
fi
trap '[ -z "$cleanup" ] || rm -rf "$cleanup"' EXIT
build=$WORK/gstorm-build

# The sim's scheduler stays out of coverage (fuzz/coverage-ignore.txt):
# cmake passes the file to clang's SanitizerCoverage (libFuzzer); AFL++'s
# compiler reads a denylist of its own, whose plain lines match the end
# of a source path, so each `src:*/PATH` line becomes PATH.
if [[ "$(basename "${CC%% *}")" == afl-* ]] && [ -z "${AFL_LLVM_DENYLIST:-}" ]; then
    sed -n 's|^src:\*/||p' "$root/fuzz/coverage-ignore.txt" \
        >"$WORK/gstorm-afl-denylist.txt"
    export AFL_LLVM_DENYLIST=$WORK/gstorm-afl-denylist.txt
fi

# The build: cmake reads $CC, $CXX and $CFLAGS (a fresh cache each time,
# so a change of engine never reuses the last one's objects).
gen=()
if command -v ninja >/dev/null; then
    gen=(-G Ninja)
fi
rm -rf "$build"
cmake -S "$root" -B "$build" "${gen[@]}" -DCMAKE_BUILD_TYPE=None \
    -DGSTORM_FUZZ=external "-DGSTORM_FUZZ_ENGINE=$LIB_FUZZING_ENGINE" \
    >"$WORK/gstorm-configure.log" 2>&1 ||
    {
        tail -20 "$WORK/gstorm-configure.log" >&2
        die 3 "cmake configure failed (log: $WORK/gstorm-configure.log)"
    }

# The targets: corpus/fuzz_*/ with a CMake target of the same name.
targets=()
known=$(cmake --build "$build" --target help 2>/dev/null)
for dir in "$root"/corpus/fuzz_*/; do
    [ -d "$dir" ] || continue
    t=$(basename "$dir")
    if grep -Eq "(^|[[:space:]])$t(:|$)" <<<"$known"; then
        targets+=("$t")
    else
        echo "$me: corpus/$t has no CMake target $t: skipped" >&2
    fi
done
[ ${#targets[@]} -gt 0 ] || die 3 "no fuzz target found under $root/corpus"

# replaceable NAME: ends the script unless $OUT/NAME is absent or a
# regular file: never over a directory, a symlink or a device.
replaceable() {
    if [ -L "$OUT/$1" ] || { [ -e "$OUT/$1" ] && [ ! -f "$OUT/$1" ]; }; then
        die 2 "$OUT/$1 exists and is not a regular file: not replaced"
    fi
}
# Before the build, so that a refusal costs no build.
for t in "${targets[@]}"; do
    for name in "$t" "${t}_seed_corpus.zip" "$t.dict" "$t.options"; do
        replaceable "$name"
    done
done

jobs=$(nproc 2>/dev/null || echo 2)
cmake --build "$build" -j "$jobs" --target "${targets[@]}" ||
    die 3 "the build of ${targets[*]} failed"

# put SRC NAME: copies SRC to $OUT/NAME atomically (replaceable first).
put() {
    replaceable "$2"
    if ! cp "$1" "$OUT/.$2.tmp" || ! mv -fT "$OUT/.$2.tmp" "$OUT/$2"; then
        rm -f "$OUT/.$2.tmp"
        die 3 "cannot write $OUT/$2"
    fi
}

for t in "${targets[@]}"; do
    put "$build/bin/$t" "$t"
    c=$root/corpus/$t
    # The seed corpus: seed and regress inputs, flat (zip -j); a name
    # in both keeps the regress one (zip replaces it).
    files=()
    for kind in seed regress; do
        [ -d "$c/$kind" ] || continue
        while IFS= read -r -d '' f; do
            files+=("$f")
        done < <(find "$c/$kind" -maxdepth 1 -type f -print0 | sort -z)
    done
    if [ ${#files[@]} -gt 0 ]; then
        rm -f "$WORK/$t.zip"
        zip -q -j -X "$WORK/$t.zip" "${files[@]}" ||
            die 3 "cannot zip the seed corpus of $t"
        put "$WORK/$t.zip" "${t}_seed_corpus.zip"
    fi
    for ext in dict options; do
        if [ -f "$c/$t.$ext" ]; then
            put "$c/$t.$ext" "$t.$ext"
        fi
    done
    echo "$me: $t: ${#files[@]} seed inputs"
done
echo "$me: built ${targets[*]} into $OUT"
