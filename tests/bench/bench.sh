#!/bin/sh
# The benchmark: generates a Kong file with N services and compares `gatehop lint` with a bare
# libyaml event scan of the same file, on the same machine in the same run.
# usage: tests/bench/bench.sh BUILD_DIR [N ...]        (default N: 10000 100000)
# Prints, per N: file size, best-of-5 times, gatehop's throughput as a ratio to the scan's
# (1.0 = as fast as parsing alone), gatehop's peak RSS, and "paired": the median of the five
# rounds' own ratios, each of a scan and a gatehop run back to back (on a machine whose speed
# drifts by a third within minutes, a ratio of two bests may pair a quiet moment with a busy one). Then the same for `gatehop convert
# --to kong@3.4` of the file in the 2.x format (a third of its routes have regex paths to
# migrate), against a scan of that file; lint of the second shape (gen_kong's "creds": each
# consumer also has tags, a basic-auth credential and an ACL group); lint on one CPU
# (`taskset -c 0` for the scan and gatehop alike), where there is taskset; then lint of the first
# file written as JSON (2-space indents, as decK and most tools write it) against a libyaml scan
# of that JSON: libyaml is a slow JSON parser, and gatehop reads JSON with a reader of its own
# (src/reader/reader_json.h).
# A million services: `BENCH_DIR=/tmp/bench BENCH_CONVERT=0 tests/bench/bench.sh build-rel 1000000`
# writes a 594 MB file (keep BENCH_DIR on a disk with room; it is reused when present) and prints
# the lint row with its peak RSS, the memory figure of issue 17 (at most 96 MB; 40 at 100,000).
# BENCH_CONVERT=0 leaves out every table but the first (each other file is another 600 MB+);
# with BENCH_CREDS=1 beside it, the second shape's table too (item 1 asks for both at a million);
# BENCH_RUNS=1 takes one run instead of the best of 5 (the -j table takes the median of
# BENCH_JOBS_RUNS runs, default 11).
# Then the language server's latency on a 2,000-line file (lsp_table); decK's 3.10 -> 3.14
# ruleset, run by gatehop and by Spectral (when installed); -j 1 against
# -j 2 on 2,000 small files; last, start-up on one-entity files (startup.sh; STARTUP_RUNS runs
# each, default 50).
set -eu
build=${1:?usage: bench.sh BUILD_DIR [N ...]}
shift
[ $# -gt 0 ] || set -- 10000 100000
sizes="$*"
work=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$work"
runs=${BENCH_RUNS:-5}
bin="$build/gatehop"
for t in gen_kong yaml_scan measure yaml2json lsp_latency; do
    [ -x "$build/tests/$t" ] || { echo "bench: $build/tests/$t is missing (build first)"; exit 2; }
done

# The middle one of the numbers on standard input, one per line.
median() {
    sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# One table: for each size, the generated file (gen_kong's extra argument: FORMAT, "" for 3.0;
# "json": the 3.0 file as JSON), best-of-$runs times of the scan and of gatehop with the given
# arguments, and the ratio.
# usage: table LABEL FORMAT GATEHOP_ARGS...
table() {
    label=$1 format=$2
    shift 2
    printf '%-8s %8s %9s %10s %8s %10s %8s\n' services MB scan_s "${label}_s" ratio peak_RSS_MB paired
    for n in $sizes; do
        f="$work/kong-$n${format:+-$format}.yml"
        if [ "$format" = json ]; then
            f="$work/kong-$n.json"
            [ -f "$work/kong-$n.yml" ] || "$build/tests/gen_kong" "$n" > "$work/kong-$n.yml"
            [ -f "$f" ] || "$build/tests/yaml2json" "$work/kong-$n.yml" > "$f"
        fi
        [ -f "$f" ] || "$build/tests/gen_kong" "$n" $format > "$f"
        mb=$(awk -v b="$(wc -c < "$f")" 'BEGIN { printf "%.1f", b / 1048576 }')
        scan_t=; run_t=; run_rss=; pairs=
        for r in $(seq "$runs"); do
            st=$("$build/tests/measure" $pin "$build/tests/yaml_scan" "$f" | cut -d' ' -f1)
            if [ -z "$scan_t" ] || awk -v a="$st" -v b="$scan_t" 'BEGIN { exit !(a < b) }'; then scan_t=$st; fi
            read -r t rss rc << EOF
$("$build/tests/measure" $pin "$bin" "$@" "$f")
EOF
            [ "$rc" = 0 ] || { echo "bench: gatehop $1 exited $rc on $f (it should be clean)"; exit 1; }
            if [ -z "$run_t" ] || awk -v a="$t" -v b="$run_t" 'BEGIN { exit !(a < b) }'; then run_t=$t; run_rss=$rss; fi
            pairs="$pairs $(awk -v a="$st" -v b="$t" 'BEGIN { print a / b }')"
        done
        paired=$(echo $pairs | tr ' ' '\n' | median)
        awk -v n="$n" -v mb="$mb" -v s="$scan_t" -v g="$run_t" -v rss="$run_rss" -v p="$paired" \
            'BEGIN { printf "%-8s %8s %9.2f %10.2f %8.2f %10.1f %8.2f\n", n, mb, s, g, s / g, rss / 1024, p }'
    done
}

pin= # a command the scan and gatehop run under (the single-core table's taskset)

lint_table() {
    table gatehop "" lint -q --no-excerpts
}

convert_table() {
    echo
    table convert 2.1 convert -q --no-excerpts --to kong@3.4
}

creds_table() {
    echo
    echo "second shape: a consumer with key-auth, basic-auth and an ACL group per two services"
    table creds creds lint -q --no-excerpts
}

single_core_table() {
    command -v taskset > /dev/null || return 0
    echo
    echo "one CPU (taskset -c 0)"
    pin="taskset -c 0"
    table 1cpu "" lint -q --no-excerpts
    pin=
}

json_table() {
    echo
    table json json lint -q --no-excerpts
}

# Many small files on one and on two CPUs: 2,000 copies of a two-service file (made once in the
# bench folder), linted with -j 1 and with -j 2, taking turns, $BENCH_JOBS_RUNS times each
# (default 11); files per second at the median run of each, and the ratio of the two (beside it,
# the ratio of the best runs). A run lasts about a tenth of a second, where this machine's noise
# is as large as the effect: the best of three was mostly a measure of luck. Beside it, what two
# CPUs give this machine at all in the same run: two libyaml scans of a 10,000-service file one
# after the other, against the same two at once (two processes, nothing shared; best of the
# runs). On a virtual machine whose two CPUs share a core or a busy host, that ceiling is well
# under 2, and the -j ratio should be read against it.

jobs_table() {
    echo
    dir="$work/small-files"
    if [ ! -f "$dir/f2000.yml" ]; then
        mkdir -p "$dir"
        "$build/tests/gen_kong" 2 > "$dir/f1.yml"
        for i in $(seq 2 2000); do cp "$dir/f1.yml" "$dir/f$i.yml"; done
    fi
    scan_file="$work/kong-10000.yml"
    [ -f "$scan_file" ] || "$build/tests/gen_kong" 10000 > "$scan_file"
    scan="$build/tests/yaml_scan $scan_file > /dev/null"
    printf '%-8s %10s %10s %8s %11s %14s\n' files j1_files_s j2_files_s ratio best_ratio \
        two_scans_ratio
    times1=; times2=; serial=; parallel=
    for r in $(seq "${BENCH_JOBS_RUNS:-11}"); do
        for j in 1 2; do
            read -r t rss rc << EOF
$("$build/tests/measure" "$bin" lint -q --no-excerpts -j $j "$dir")
EOF
            [ "$rc" = 0 ] || { echo "bench: gatehop lint -j $j exited $rc on $dir"; exit 1; }
            eval "times$j=\"\${times$j} $t\""
        done
    done
    for r in $(seq "$runs"); do
        t=$("$build/tests/measure" sh -c "$scan; $scan" | cut -d' ' -f1)
        if [ -z "$serial" ] || awk -v a="$t" -v b="$serial" 'BEGIN { exit !(a < b) }'; then serial=$t; fi
        t=$("$build/tests/measure" sh -c "$scan & $scan; wait" | cut -d' ' -f1)
        if [ -z "$parallel" ] || awk -v a="$t" -v b="$parallel" 'BEGIN { exit !(a < b) }'; then parallel=$t; fi
    done
    med1=$(echo $times1 | tr ' ' '\n' | median)
    med2=$(echo $times2 | tr ' ' '\n' | median)
    best1=$(echo $times1 | tr ' ' '\n' | sort -n | head -1)
    best2=$(echo $times2 | tr ' ' '\n' | sort -n | head -1)
    awk -v a="$med1" -v b="$med2" -v x="$best1" -v y="$best2" -v s="$serial" -v p="$parallel" \
        'BEGIN { printf "%-8s %10.0f %10.0f %8.2f %11.2f %14.2f\n", 2000, 2000 / a, 2000 / b, a / b, x / y, s / p }'
}

# Start-up on one-entity files: the median of many runs (tests/bench/startup.sh).
startup_table() {
    echo
    BENCH_DIR="$work" sh "$(dirname "$0")/startup.sh" "$build" "${STARTUP_RUNS:-50}"
}

# An organisation ruleset: decK's 3.10 -> 3.14 upgrade ruleset (tests/ruleset/deck/) on each
# file, by gatehop (its own checks and the ruleset) and by Spectral, the tool decK users run it
# with, when it is installed ($GATEHOP_SPECTRAL, or spectral on the PATH); one run each,
# Spectral takes minutes. speedup: Spectral's time over gatehop's ("failed": Spectral stopped
# with an error, exit 2).
ruleset_table() {
    echo
    rules="$(dirname "$0")/../ruleset/deck/deck-310-to-314.yaml"
    spectral=${GATEHOP_SPECTRAL:-$(command -v spectral || true)}
    echo "decK's 3.10 -> 3.14 ruleset"
    printf '%-8s %8s %10s %12s %12s %15s %8s\n' services MB gatehop_s gatehop_RSS spectral_s \
        spectral_RSS_MB speedup
    for n in $sizes; do
        f="$work/kong-$n.yml"
        [ -f "$f" ] || "$build/tests/gen_kong" "$n" > "$f"
        mb=$(awk -v b="$(wc -c < "$f")" 'BEGIN { printf "%.1f", b / 1048576 }')
        read -r g grss grc << EOF
$("$build/tests/measure" "$bin" lint -q --no-excerpts --no-config --ruleset "$rules" "$f")
EOF
        [ "$grc" -le 1 ] || { echo "bench: gatehop --ruleset exited $grc on $f"; exit 1; }
        if [ -n "$spectral" ] && [ -x "$spectral" ] && [ "${BENCH_SPECTRAL:-1}" = 1 ]; then
            read -r t rss rc << EOF
$("$build/tests/measure" "$spectral" lint --quiet -f json -o /dev/null -r "$rules" "$f")
EOF
            # Spectral exits 2 when it fails (on 100,000 services: "Maximum call stack size
            # exceeded" after minutes): its time is then no result, and there is no speedup.
            awk -v n="$n" -v mb="$mb" -v g="$g" -v grss="$grss" -v t="$t" -v rss="$rss" -v rc="$rc" \
                'BEGIN { printf "%-8s %8s %10.2f %12.1f %12.2f %15.1f %8s\n", n, mb, g, grss / 1024, t, rss / 1024, rc <= 1 ? sprintf("%.1f", t / g) : "failed" }'
        else
            awk -v n="$n" -v mb="$mb" -v g="$g" -v grss="$grss" \
                'BEGIN { printf "%-8s %8s %10.2f %12.1f %12s %15s %8s\n", n, mb, g, grss / 1024, "-", "-", "-" }'
            echo "(Spectral is not installed: set GATEHOP_SPECTRAL to compare; BENCH_SPECTRAL=0 skips it)"
        fi
    done
}

# The language server (issue 20): from a change notification to its diagnostics, on a
# 2,000-line Kong file, 200 edits each waited for (tests/bench/lsp_latency.c), beside the time
# `gatehop lint` of the same file takes (best of the runs): the server's latency is the lint's
# plus the protocol's and the debounce's.
lsp_table() {
    echo
    f="$work/kong-2000-lines.yml"
    [ -f "$f" ] || "$build/tests/gen_kong" 73 > "$f"
    lint_t=
    for r in $(seq "$runs"); do
        t=$("$build/tests/measure" "$bin" lint -q --no-excerpts "$f" | cut -d' ' -f1)
        if [ -z "$lint_t" ] || awk -v a="$t" -v b="$lint_t" 'BEGIN { exit !(a < b) }'; then lint_t=$t; fi
    done
    "$build/tests/lsp_latency" "$bin" "$f" 200
    awk -v t="$lint_t" 'BEGIN { printf "gatehop lint of the same file: %.2f ms\n", t * 1000 }'
}

lint_table
if [ "${BENCH_CONVERT:-1}" = 0 ]; then
    [ "${BENCH_CREDS:-0}" = 0 ] || creds_table
    exit 0
fi
lsp_table
ruleset_table
convert_table
creds_table
single_core_table
json_table
jobs_table
startup_table
