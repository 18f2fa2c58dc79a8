#!/bin/sh
# `lint -j N` gives the same bytes on standard output and standard error as -j 1, on many
# files of every kind (the corpus and the golden cases' inputs, directories searched), in
# every report format.
# usage: check_jobs.sh ROOT GATEHOP
root=$1
bin=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
cd "$root" || exit 2
for format in text json sarif; do
    "$bin" lint --format "$format" -j 1 corpus tests/cases > "$tmp/one.out" 2> "$tmp/one.err"
    one=$?
    for jobs in 2 4 7; do
        "$bin" lint --format "$format" -j "$jobs" corpus tests/cases > "$tmp/n.out" 2> "$tmp/n.err"
        n=$?
        [ $n = $one ] || { echo "jobs: -j $jobs exits $n, -j 1 $one ($format)"; status=1; }
        cmp -s "$tmp/one.out" "$tmp/n.out" || { echo "jobs: -j $jobs changes standard output ($format)"; status=1; }
        cmp -s "$tmp/one.err" "$tmp/n.err" || { echo "jobs: -j $jobs changes standard error ($format)"; status=1; }
    done
done
files=$(grep -c '^gatehop: .*: ' "$tmp/one.err")
[ "$files" -gt 100 ] || { echo "jobs: only $files files were linted; the check needs many"; status=1; }
exit $status
