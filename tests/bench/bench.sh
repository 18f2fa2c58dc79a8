#!/bin/sh
# The benchmark: generates a Kong file with N services and compares `gatehop lint` with a bare
# libyaml event scan of the same file, on the same machine in the same run.
# usage: tests/bench/bench.sh BUILD_DIR [N ...]        (default N: 10000 100000)
# Prints, per N: file size, best-of-3 times, gatehop's throughput as a ratio to the scan's
# (1.0 = as fast as parsing alone), and gatehop's peak RSS. Then the same for `gatehop convert
# --to kong@3.4` of the file in the 2.x format (a third of its routes have regex paths to
# migrate), against a scan of that file.
set -eu
build=${1:?usage: bench.sh BUILD_DIR [N ...]}
shift
[ $# -gt 0 ] || set -- 10000 100000
sizes="$*" # the loops below reuse "$@" for measure's output
work=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$work"
runs=${BENCH_RUNS:-3}
bin="$build/gatehop"
for t in gen_kong yaml_scan measure; do
    [ -x "$build/tests/$t" ] || { echo "bench: $build/tests/$t is missing (build first)"; exit 2; }
done

printf '%-8s %8s %9s %10s %8s %10s\n' services MB scan_s gatehop_s ratio peak_RSS_MB
for n in $sizes; do
    f="$work/kong-$n.yml"
    [ -f "$f" ] || "$build/tests/gen_kong" "$n" > "$f"
    mb=$(awk -v b="$(wc -c < "$f")" 'BEGIN { printf "%.1f", b / 1048576 }')
    scan_t=; scan_rss=; lint_t=; lint_rss=
    for r in $(seq "$runs"); do
        set -- $("$build/tests/measure" "$build/tests/yaml_scan" "$f")
        if [ -z "$scan_t" ] || awk -v a="$1" -v b="$scan_t" 'BEGIN { exit !(a < b) }'; then scan_t=$1; fi
        set -- $("$build/tests/measure" "$bin" lint -q --no-excerpts "$f")
        [ "$3" = 0 ] || { echo "bench: gatehop exited $3 on $f (the generated file should be clean)"; exit 1; }
        if [ -z "$lint_t" ] || awk -v a="$1" -v b="$lint_t" 'BEGIN { exit !(a < b) }'; then lint_t=$1; lint_rss=$2; fi
    done
    awk -v n="$n" -v mb="$mb" -v s="$scan_t" -v g="$lint_t" -v rss="$lint_rss" \
        'BEGIN { printf "%-8s %8s %9.2f %10.2f %8.2f %10.1f\n", n, mb, s, g, s / g, rss / 1024 }'
done

printf '\n%-8s %8s %9s %10s %8s %10s\n' services MB scan_s convert_s ratio peak_RSS_MB
for n in $sizes; do
    f="$work/kong-$n-2.1.yml"
    [ -f "$f" ] || "$build/tests/gen_kong" "$n" 2.1 > "$f"
    mb=$(awk -v b="$(wc -c < "$f")" 'BEGIN { printf "%.1f", b / 1048576 }')
    scan_t=; conv_t=; conv_rss=
    for r in $(seq "$runs"); do
        set -- $("$build/tests/measure" "$build/tests/yaml_scan" "$f")
        if [ -z "$scan_t" ] || awk -v a="$1" -v b="$scan_t" 'BEGIN { exit !(a < b) }'; then scan_t=$1; fi
        set -- $("$build/tests/measure" "$bin" convert -q --no-excerpts --to kong@3.4 "$f")
        [ "$3" = 0 ] || { echo "bench: gatehop convert exited $3 on $f"; exit 1; }
        if [ -z "$conv_t" ] || awk -v a="$1" -v b="$conv_t" 'BEGIN { exit !(a < b) }'; then conv_t=$1; conv_rss=$2; fi
    done
    awk -v n="$n" -v mb="$mb" -v s="$scan_t" -v g="$conv_t" -v rss="$conv_rss" \
        'BEGIN { printf "%-8s %8s %9.2f %10.2f %8.2f %10.1f\n", n, mb, s, g, s / g, rss / 1024 }'
done
