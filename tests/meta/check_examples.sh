#!/bin/sh
# The examples on the rule pages (docs/rules/*.md) are true: the "Problematic config" example
# makes gatehop print exactly the output lines the page shows, and the "Correct config" example
# does not report the page's code. A page may add arguments with <!-- lint: ARGS -->, and may
# say <!-- example: not runnable, REASON --> when its example needs bytes Markdown cannot show
# (those rules are covered by their golden cases instead). A database rule's page says
# <!-- db status: ARGS -->: its examples are schema_meta CSV files, run with
# `gatehop db status --schema-meta FILE ARGS`.
# usage: check_examples.sh ROOT GATEHOP
root=$1
bin=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for page in "$root"/docs/rules/HOP*.md; do
    code=$(basename "$page" .md)
    grep -q '<!-- example: not runnable' "$page" && continue
    args=$(sed -n 's/^<!-- lint: \(.*\) -->$/\1/p' "$page")
    command="lint -q --no-excerpts"
    if grep -q '^<!-- db status:' "$page"; then
        args=$(sed -n 's/^<!-- db status: *\(.*\) -->$/\1/p' "$page")
        command="db status -q --schema-meta"
    fi
    rm -rf "$tmp/p" && mkdir "$tmp/p"
    # Blocks in order: 1 the problematic config, 2 its output, 3 the correct config.
    awk -v dir="$tmp/p" '
        /^```/ { if (inside) { inside = 0; next } inside = 1; n++; next }
        inside { print > (dir "/block" n) }' "$page"
    for n in 1 2 3; do
        [ -f "$tmp/p/block$n" ] || { echo "$code: the page lacks code block $n"; status=1; continue 2; }
    done
    file=$(sed -n '1s/^\([^:]*\):.*/\1/p' "$tmp/p/block2")
    [ -n "$file" ] || { echo "$code: the output block does not start with FILE:LINE:COL"; status=1; continue; }
    cp "$tmp/p/block1" "$tmp/p/$file"
    # shellcheck disable=SC2086
    (cd "$tmp/p" && "$bin" $command "$file" $args > actual 2>&1)
    while IFS= read -r line; do
        grep -qxF -- "$line" "$tmp/p/actual" || {
            echo "$code: the page shows a line gatehop does not print:"
            echo "  page:    $line"
            sed 's/^/  gatehop: /' "$tmp/p/actual" | head -5
            status=1
        }
    done < "$tmp/p/block2"
    cp "$tmp/p/block3" "$tmp/p/$file"
    # shellcheck disable=SC2086
    (cd "$tmp/p" && "$bin" $command "$file" $args > correct 2>&1)
    if grep -q "\[$code\]" "$tmp/p/correct"; then
        echo "$code: the correct config still reports $code:"
        head -5 "$tmp/p/correct"
        status=1
    fi
done
exit $status
