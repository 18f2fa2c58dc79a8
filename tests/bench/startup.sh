#!/bin/sh
# Start-up: what a pre-commit hook or an editor pays per call. Median wall time of RUNS runs of
# gatehop on one-entity files (a Kong service, an APISIX route, an ADC service; convert, plan
# and explain too), next to the median of a bare libyaml scan of the same small file measured
# in the same run (process start and libyaml: what any YAML tool pays), runs interleaved so the
# machine's load falls on both alike. ratio = scan / gatehop (1.0 = starts as fast as a scan).
# usage: tests/bench/startup.sh BUILD_DIR [RUNS]        (default RUNS: 50)
set -eu
build=${1:?usage: startup.sh BUILD_DIR [RUNS]}
runs=${2:-50}
work=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$work"
bin="$build/gatehop"
for t in yaml_scan measure; do
    [ -x "$build/tests/$t" ] || { echo "startup: $build/tests/$t is missing (build first)"; exit 2; }
done

printf '_format_version: "3.0"\nservices:\n- name: a\n  url: "http://x"\n' > "$work/one-kong.yml"
printf '_format_version: "2.1"\nservices:\n- name: a\n  url: "http://x"\n  routes:\n  - name: r\n    paths: ["/a"]\n' \
    > "$work/one-kong-2.1.yml"
printf 'routes:\n  - id: 1\n    uri: /a\n    upstream:\n      type: roundrobin\n      nodes:\n        "127.0.0.1:80": 1\n#END\n' \
    > "$work/one-apisix.yaml"
printf 'services:\n  - name: a\n    upstream:\n      nodes:\n        - host: a.internal\n          port: 80\n          weight: 100\n    routes:\n      - name: r\n        uris: [/a]\n' \
    > "$work/one-adc.yaml"

# The median of the numbers (seconds) on standard input, in milliseconds.
median_ms() {
    sort -n | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f", m * 1000 }'
}

# usage: row LABEL FILE GATEHOP_ARGS...   (FILE: the scan's input; the arguments name their own)
row() {
    label=$1 file=$2
    shift 2
    : > "$work/scan.t"
    : > "$work/run.t"
    for r in $(seq "$runs"); do
        "$build/tests/measure" "$build/tests/yaml_scan" "$file" | cut -d' ' -f1 >> "$work/scan.t"
        out=$("$build/tests/measure" "$bin" "$@")
        rc=${out##* }
        [ "$rc" -le 1 ] || { echo "startup: gatehop $* exited $rc"; exit 1; }
        echo "${out%% *}" >> "$work/run.t"
    done
    rss=$(echo "$out" | cut -d' ' -f2)
    scan=$(median_ms < "$work/scan.t")
    run=$(median_ms < "$work/run.t")
    awk -v l="$label" -v n="$runs" -v s="$scan" -v g="$run" -v rss="$rss" \
        'BEGIN { printf "%-14s %5d %8.2f %11.2f %7.2f %10.1f\n", l, n, s, g, s / g, rss / 1024 }'
}

printf '%-14s %5s %8s %11s %7s %10s\n' startup runs scan_ms gatehop_ms ratio peak_RSS_MB
row lint-kong "$work/one-kong.yml" lint -q "$work/one-kong.yml"
row lint-apisix "$work/one-apisix.yaml" lint -q "$work/one-apisix.yaml"
row lint-adc "$work/one-adc.yaml" lint -q "$work/one-adc.yaml"
row convert-kong "$work/one-kong-2.1.yml" convert -q --to kong@3.4 "$work/one-kong-2.1.yml"
row plan-kong "$work/one-kong.yml" plan --from kong@3.1 --to kong@3.4
row explain "$work/one-kong.yml" explain HOP2001
