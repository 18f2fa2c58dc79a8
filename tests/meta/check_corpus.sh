#!/bin/sh
# Every realistic config in corpus/ gets the outcome its place promises:
#   corpus/kong/<version>/*   lints clean (exit 0) against kong@<version>
#   corpus/apisix/*   lints clean (exit 0) against the APISIX release gatehop assumes for it
#   corpus/adc/*      lints clean against the API7 Enterprise release gatehop assumes for it,
#                     except the legacy (v0.5) files, *legacy*: recognised (HOP9001), nothing else
# usage: check_corpus.sh ROOT GATEHOP
root=$1
bin=$2
status=0
count=0
# FILE must lint clean with the extra arguments given.
expect_clean() {
    f=$1
    shift
    count=$((count + 1))
    if ! out=$("$bin" lint -q --no-excerpts "$@" "$f" 2>&1); then
        echo "${f#$root/}: expected a clean lint${*:+ with $*}"
        echo "$out" | head -20
        status=1
    fi
}
for f in "$root"/corpus/kong/*/*; do
    [ -f "$f" ] && expect_clean "$f" --from "kong@$(basename "$(dirname "$f")")"
done
for f in "$root"/corpus/apisix/*; do
    [ -f "$f" ] && expect_clean "$f"
done
for f in "$root"/corpus/adc/*; do
    case $f in *legacy*) continue ;; esac
    [ -f "$f" ] && expect_clean "$f"
done
for f in "$root"/corpus/adc/*legacy*; do
    [ -f "$f" ] || continue
    count=$((count + 1))
    out=$("$bin" lint -q --no-excerpts "$f" 2>&1)
    if ! echo "$out" | grep -q HOP9001 || echo "$out" | grep -v HOP9001 | grep -q 'error:'; then
        echo "${f#$root/}: expected to be recognised as not yet supported (HOP9001) only"
        echo "$out" | head -10
        status=1
    fi
done
[ "$count" -gt 0 ] || { echo "corpus/ is empty"; status=1; }
exit $status
