# lib-fuzz.sh - what ci/gate and ci/overnight share: the fuzz targets
# (the directories corpus/fuzz_*/), running libFuzzer on one with its
# .options and .dict, the artifacts it leaves, a finding's key, its
# minimization, the known-open keys (corpus/*/regress/open.tsv), atomic
# writes and child processes that die with the script. Sourced, not run;
# every function is prefixed lf_.
#
# The caller sets G (a gstorm binary without sanitizers, for triage, min
# and replay) before calling lf_key or lf_min. Keys come from gstorm:
# `gstorm triage` for the targets whose inputs gstorm replays
# (LF_GSTORM_TARGETS: the raw format of harness/harness.h); for the
# others (fuzz_decode, ...) the target's own <target>_replay driver runs
# the input and lf_textkey names its report as gs_sanitizer_key does.

# The targets whose inputs are gstorm's raw format (gstorm replay, min
# and triage read them); every other target is keyed by its own replay
# driver and minimized by libFuzzer's -minimize_crash.
LF_GSTORM_TARGETS=${LF_GSTORM_TARGETS:-" fuzz_interleave "}

# Children started by lf_bg, killed (with their process groups) by
# lf_killall.
LF_CHILDREN=()

# lf_targets CORPUS: the fuzz targets, one a line, in name order: the
# directories CORPUS/fuzz_*/ (never a fixed list).
lf_targets() {
    local d
    for d in "$1"/fuzz_*/; do
        [ -d "$d" ] || continue
        d=${d%/}
        echo "${d##*/}"
    done
}

# lf_gstorm_target T: whether gstorm reads target T's inputs.
lf_gstorm_target() {
    [[ "$LF_GSTORM_TARGETS" == *" $1 "* ]]
}

# lf_flags CORPUS T: libFuzzer flags, one a line, from CORPUS/T/T.options
# (OSS-Fuzz style: `key = value` lines of its [libfuzzer] section; `#`
# and `;` comments) and -dict= CORPUS/T/T.dict when it exists. The keys
# that the scripts set themselves (time, runs, artifacts, fork, merge)
# are dropped from the options; an options `dict` is taken relative to
# CORPUS/T.
lf_flags() {
    local dir=$1/$2 hasdict=0 k v
    if [ -f "$dir/$2.options" ]; then
        while IFS=$'\t' read -r k v; do
            case $k in
            max_total_time | runs | artifact_prefix | exact_artifact_path | \
                jobs | workers | fork | merge | minimize_crash | \
                ignore_crashes | ignore_timeouts | ignore_ooms | \
                print_final_stats | close_fd_mask) continue ;;
            dict)
                hasdict=1
                case $v in /*) ;; *) v=$dir/$v ;; esac
                ;;
            esac
            echo "-$k=$v"
        done < <(awk '
            { sub(/\r$/, ""); sub(/^[ \t]+/, ""); sub(/[ \t]+$/, "") }
            /^[#;]/ || $0 == "" { next }
            /^\[.*\]$/ { sec = $0; next }
            sec == "[libfuzzer]" && index($0, "=") > 1 {
                k = substr($0, 1, index($0, "=") - 1)
                v = substr($0, index($0, "=") + 1)
                sub(/[ \t]+$/, "", k); sub(/^[ \t]+/, "", v)
                if (k ~ /^[a-z_]+$/) print k "\t" v
            }' "$dir/$2.options")
    fi
    if [ "$hasdict" -eq 0 ] && [ -f "$dir/$2.dict" ]; then
        echo "-dict=$dir/$2.dict"
    fi
}

# lf_afl_flags CORPUS T: afl-fuzz flags for target T: -x T.dict if any.
lf_afl_flags() {
    if [ -f "$1/$2/$2.dict" ]; then
        echo "-x"
        echo "$1/$2/$2.dict"
    fi
}

# lf_bg LOG CMD...: starts CMD in the background in a session (process
# group) of its own, stdout and stderr to LOG, killed by SIGKILL if this
# shell dies (setpriv --pdeathsig, when there is setpriv). Sets
# LF_PID; lf_killall ends it and its children.
lf_bg() {
    local log=$1 pd=()
    shift
    if command -v setpriv >/dev/null; then
        pd=(setpriv --pdeathsig KILL --)
    fi
    setsid "${pd[@]}" "$@" >"$log" 2>&1 </dev/null &
    LF_PID=$!
    LF_CHILDREN+=("$LF_PID")
}

# lf_stop PID: ends the process group of PID (TERM, then KILL after 5 s)
# and reaps it.
lf_stop() {
    local pid=$1 i
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# lf_killall ends every child lf_bg started (for an EXIT trap).
lf_killall() {
    local p
    for p in "${LF_CHILDREN[@]}"; do
        kill -0 "$p" 2>/dev/null && lf_stop "$p"
    done
    LF_CHILDREN=()
}

# lf_artifacts DIR: the findings libFuzzer left in DIR (crash-*, leak-*,
# timeout-*, oldest first). oom-* and slow-unit-* are not findings: a
# resource, not a bug (as explore treats them).
lf_artifacts() {
    local f
    # Bounded: a directory listing.
    ls -1tr "$1" 2>/dev/null | while IFS= read -r f; do
        case $f in crash-* | leak-* | timeout-*) echo "$1/$f" ;; esac
    done
}

# lf_afl_artifacts SYNC: the crashes AFL++ instances left under SYNC
# (SYNC/*/crashes/id:*).
lf_afl_artifacts() {
    local f
    for f in "$1"/*/crashes/id:*; do
        [ -f "$f" ] && echo "$f"
    done
    return 0
}

# lf_textkey LOG RC: the finding key of a replay driver's report (stderr
# in LOG, exit code RC), named as gs_sanitizer_key (harness/child.c)
# names it: a rule (`gstorm: violation [R]`), asan.KIND, lsan.leak,
# tsan.KIND-KIND, ubsan.WORDS, else signal.NAME or exit.N; plus `@` and
# a hash of the top three stack frames outside the sanitizer runtime and
# libc when there is a stack. Prints nothing for a clean run.
lf_textkey() {
    local log=$1 rc=$2 k frames
    [ "$rc" -ne 0 ] || return 0
    k=$(awk '
        function words(s, n,   out, i, w, a) {
            out = ""; split(s, a, " ")
            for (i = 1; i <= n && (i in a); i++) {
                w = a[i]; sub(/[^A-Za-z_-].*$/, "", w)
                if (w == "" || (i > 1 && a[i] !~ /^[a-z]/)) break
                out = out (i > 1 ? "-" : "") w
                if (w != a[i]) break
            }
            return out
        }
        /gstorm: violation \[/ { s = $0; sub(/.*gstorm: violation \[/, "", s)
            sub(/\].*/, "", s); print s; exit }
        /ERROR: LeakSanitizer: / { print "lsan.leak"; exit }
        /ERROR: AddressSanitizer: / { s = $0; sub(/.*ERROR: AddressSanitizer: /, "", s)
            print "asan." words(s, 1); exit }
        /(WARNING|ERROR): ThreadSanitizer: / { s = $0; sub(/.*ThreadSanitizer: /, "", s)
            print "tsan." words(s, 2); exit }
        /runtime error: / { s = $0; sub(/.*runtime error: /, "", s)
            print "ubsan." words(s, 3); exit }' "$log")
    if [ -z "$k" ]; then
        if [ "$rc" -gt 128 ]; then
            k="signal.SIG$(kill -l $((rc - 128)) 2>/dev/null || echo $((rc - 128)))"
        else
            k="exit.$rc"
        fi
    fi
    frames=$(awk '/^ *#[0-9]+ 0x[0-9a-f]+ in / {
            f = $4
            if (f ~ /^(__asan|__sanitizer|__ubsan|__interceptor|__lsan|__tsan|fuzzer::|abort$|raise$|__pthread_kill|__libc|__GI_)/) next
            out = out (n ? ";" : "") f; if (++n == 3) exit }
        END { print out }' "$log")
    if [ -n "$frames" ]; then
        k="$k@$(printf '%s' "$frames" | cksum | awk '{ printf "%08x", $1 }')"
    fi
    echo "$k"
}

# lf_key T REPLAY FILE WORK: the finding key of FILE, an input of target
# T, with GSTORM_FAULT as set; prints nothing (and returns 1) if FILE
# does not fail the same way every time. T's whose inputs gstorm reads
# go through `$G triage` (3 replays); others run REPLAY (the target's
# _replay driver) twice under a time bound. WORK is a scratch directory.
lf_key() {
    local t=$1 replay=$2 file=$3 work=$4 k1 k2 rc
    rm -rf "$work/key" "$work/key.out"
    mkdir -p "$work/key"
    if lf_gstorm_target "$t"; then
        # triage reads a directory: the input alone in one.
        cp "$file" "$work/key/input"
        rc=0
        timeout 300 "$G" triage "$work/key" --repeat 3 >"$work/key.out" 2>&1 || rc=$?
        [ "$rc" -eq 0 ] || return 1
        k1=$(awk '$1 != "triage:" && $2 == "count" { print $1; exit }' "$work/key.out")
        [ -n "$k1" ] || return 1
        echo "$k1"
        return 0
    fi
    rc=0
    timeout 120 "$replay" "$file" >/dev/null 2>"$work/key/err1" || rc=$?
    k1=$(lf_textkey "$work/key/err1" "$rc")
    rc=0
    timeout 120 "$replay" "$file" >/dev/null 2>"$work/key/err2" || rc=$?
    k2=$(lf_textkey "$work/key/err2" "$rc")
    [ -n "$k1" ] && [ "$k1" = "$k2" ] || return 1
    echo "$k1"
}

# lf_min T FUZZBIN FILE OUT SECONDS KEY WORK: writes FILE minimized to
# OUT (in about SECONDS): `$G min` for the targets gstorm reads (OUT a
# gstorm file with rule=KEY and the faults in its metadata; min checks
# that it reproduces), libFuzzer's -minimize_crash=1 with FUZZBIN
# otherwise (a result cut short by the time bound is kept if it still
# gives KEY through T's replay driver, next to FUZZBIN). Falls back to a
# copy of FILE (returns 1) when minimization fails. Atomic: OUT appears
# complete.
lf_min() {
    local t=$1 bin=$2 file=$3 out=$4 secs=$5 key=$6 work=$7 rc=0 tmp k
    tmp=$(dirname "$out")/.min.$$.tmp
    rm -f "$tmp"
    if lf_gstorm_target "$t"; then
        timeout $((secs + 60)) "$G" min "$file" -o "$tmp" --budget-s "$secs" \
            >"$tmp.log" 2>&1 || rc=$?
    elif [ -x "$bin" ]; then
        timeout $((secs * 2 + 10)) "$bin" -minimize_crash=1 -max_total_time="$secs" \
            -exact_artifact_path="$tmp" "$file" >"$tmp.log" 2>&1 || true
        rc=1
        if [ -s "$tmp" ] && k=$(lf_key "$t" "${bin}_replay" "$tmp" "$work") &&
            [ "$k" = "$key" ]; then
            rc=0
        fi
    else
        rc=1
    fi
    rm -f "$tmp.log"
    if [ "$rc" -ne 0 ] || [ ! -s "$tmp" ]; then
        cp "$file" "$tmp"
        rc=1
    fi
    mv -f "$tmp" "$out"
    return "$rc"
}

# lf_replay_cmd T REPRO FAULTS: the command that replays a reproducer, for
# reports: gstorm replay for gstorm's targets (a gstorm file from min
# carries its faults), else the target's replay driver.
lf_replay_cmd() {
    local t=$1 f=$2 faults=$3 env=""
    [ -z "$faults" ] || env="GSTORM_FAULT=$faults "
    if lf_gstorm_target "$t" && [ "${f##*.}" = gsr ]; then
        echo "build/release/bin/gstorm replay $f --trace"
    elif lf_gstorm_target "$t"; then
        echo "${env}build/release/bin/gstorm replay $f --trace"
    else
        echo "${env}build/fuzz/bin/${t}_replay $f"
    fi
}

# lf_known CORPUS KEY: whether KEY is recorded as open in some
# CORPUS/*/regress/open.tsv (header `key<TAB>note`).
lf_known() {
    local f
    for f in "$1"/*/regress/open.tsv; do
        [ -f "$f" ] || continue
        awk -F'\t' -v k="$2" 'NR > 1 && $1 == k { found = 1 } END { exit !found }' \
            "$f" && return 0
    done
    return 1
}

# lf_put FILE: writes stdin to FILE atomically (a temporary file in the
# same directory, then a rename). Refuses (returns 1) to replace a FILE
# that exists and is not a regular file.
lf_put() {
    local f=$1 tmp
    if [ -e "$f" ] && [ ! -f "$f" ] || [ -L "$f" ]; then
        echo "$f exists and is not a regular file; not replaced" >&2
        cat >/dev/null
        return 1
    fi
    tmp=$(dirname "$f")/.$(basename "$f").$$.tmp
    cat >"$tmp" && mv -f "$tmp" "$f"
}

# lf_xml: stdin escaped for XML text and attributes, control characters
# (which XML 1.0 forbids) dropped.
lf_xml() {
    tr -d '\000-\010\013\014\016-\037' |
        sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' \
            -e 's/"/\&quot;/g' -e "s/'/\&apos;/g"
}

# lf_libfuzzer_stats LOG: "execs exec_per_s coverage corpus" from the last
# status line of a libFuzzer log (plain or fork mode), "0 0 0 0" if none.
lf_libfuzzer_stats() {
    awk '/^#[0-9]+/ && / cov: / {
            e = $1; gsub(/[#:]/, "", e); c = ""; n = ""; s = 0
            for (i = 2; i <= NF; i++) {
                if ($i == "cov:") c = $(i + 1)
                if ($i == "corp:") { n = $(i + 1); sub(/\/.*/, "", n) }
                if ($i == "exec/s:" || $i == "exec/s") s = $(i + 1)
            }
            last = e " " s " " c " " n
        }
        END { print (last == "" ? "0 0 0 0" : last) }' "$1" 2>/dev/null ||
        echo "0 0 0 0"
}
