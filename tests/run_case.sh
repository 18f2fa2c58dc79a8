#!/bin/sh
# Runs one golden case: a folder holding the inputs, `args` (the arguments after `gatehop`,
# one per line; default: "lint input.yaml"), optional `stdin`, and the expectations
# `expect.out` (standard output), `expect.err` (standard error) and `expect.rc` (exit status).
#
# usage: run_case.sh GATEHOP CASE_DIR
# With GATEHOP_UPDATE=1 the expectations are rewritten from what the binary does: review the
# diff before committing it.
set -u
bin=$1
dir=$2
name=$(basename "$dir")
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
cd "$dir" || exit 2

set --
if [ -f args ]; then
    while IFS= read -r arg || [ -n "$arg" ]; do
        [ -n "$arg" ] && set -- "$@" "$arg"
    done < args
else
    set -- lint input.yaml
fi
input=/dev/null
[ -f stdin ] && input=stdin
"$bin" "$@" < "$input" > "$tmp/out" 2> "$tmp/err"
echo $? > "$tmp/rc"

if [ "${GATEHOP_UPDATE:-0}" = 1 ]; then
    cp "$tmp/out" expect.out
    cp "$tmp/err" expect.err
    cp "$tmp/rc" expect.rc
    echo "updated $name"
    exit 0
fi

status=0
for kind in out err rc; do
    [ -f "expect.$kind" ] || { [ "$kind" = err ] && continue; echo "$name: expect.$kind is missing"; status=1; continue; }
    if ! cmp -s "expect.$kind" "$tmp/$kind"; then
        echo "=== $name: expect.$kind differs (expected, then actual) ==="
        diff -u "expect.$kind" "$tmp/$kind" | head -60
        status=1
    fi
done
exit $status
