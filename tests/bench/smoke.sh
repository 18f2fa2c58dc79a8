#!/bin/sh
# A generated Kong file of about 3 MB lints clean; with four errors put in at known places it
# reports exactly those four, wherever they sit in the stream.
# usage: smoke.sh GATEHOP GEN_KONG
set -eu
bin=$1
gen=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$gen" 6000 > "$tmp/kong.yml"
if ! "$bin" lint -q --no-excerpts "$tmp/kong.yml" > "$tmp/out"; then
    echo "the generated file should lint clean:"
    head -20 "$tmp/out"
    exit 1
fi
# Four errors: svc-10's retries at the start, a repeated route name in the middle, an
# unknown field and a path with an empty segment near the end of the services.
awk '
    /^- name: svc-10$/ { hit = 1 }
    hit && /^  retries: / { print "  retries: four"; hit = 0; next }
    /^  - name: svc-3001-v1$/ { print "  - name: svc-3000-v1"; next }
    /^- name: svc-5900$/ { print; print "  retry: 1"; next }
    /^    paths: \[\/s5990\/v2\]$/ { print "    paths: [/s5990//v2]"; next }
    { print }' "$tmp/kong.yml" > "$tmp/bad.yml"
"$bin" lint -q --no-excerpts "$tmp/bad.yml" > "$tmp/out" && { echo "expected findings"; exit 1; }
sed 's/^[^:]*:[0-9]*:[0-9]*: \([a-z]*\): .*\[\(HOP[0-9]*\)\]$/\1 \2/' "$tmp/out" | sort > "$tmp/summary"
printf '%s\n' 'error HOP2001' 'error HOP2003' 'error HOP2007' 'error HOP3002' > "$tmp/expected"
if ! cmp -s "$tmp/expected" "$tmp/summary"; then
    echo "unexpected findings:"
    head -20 "$tmp/out"
    exit 1
fi
