#!/bin/sh
# The rule catalogue (src/diag/diag_rules.def), its pages (docs/rules/) and the golden cases
# (tests/cases/) agree: every code has a page with the required sections, `gatehop explain`
# prints that page, at least one case named CODE-fires-* reports the code, and at least one
# case named CODE-quiet-* runs near it without reporting it.
# usage: check_rules.sh ROOT GATEHOP
root=$1
bin=$2
status=0
codes=$("$bin" rules | awk '{print $1}')
[ -n "$codes" ] || { echo "gatehop rules printed nothing"; exit 1; }
for code in $codes; do
    page="$root/docs/rules/$code.md"
    if [ ! -f "$page" ]; then
        echo "$code: no page docs/rules/$code.md"
        status=1
    else
        for section in "# $code" "## Problematic config" "## Correct config" "## Rationale"; do
            grep -q "^$section" "$page" || { echo "$code: the page lacks '$section'"; status=1; }
        done
        "$bin" explain "$code" | cmp -s - "$page" || { echo "$code: explain differs from the page"; status=1; }
    fi
    found=0
    for d in "$root"/tests/cases/"$code"-fires-*; do
        [ -d "$d" ] || continue
        found=1
        # A finding shown under another code (HOP9006: the ruleset rule's own name) names it in
        # the case's file `shows`.
        shown=$code
        [ -f "$d/shows" ] && shown=$(cat "$d/shows")
        grep -q "$shown" "$d/expect.out" || { echo "$(basename "$d"): $code does not fire"; status=1; }
    done
    [ $found = 1 ] || { echo "$code: no case tests/cases/$code-fires-*"; status=1; }
    found=0
    for d in "$root"/tests/cases/"$code"-quiet-*; do
        [ -d "$d" ] || continue
        found=1
        shown=$code
        [ -f "$d/shows" ] && shown=$(cat "$d/shows")
        if grep -q "$shown" "$d/expect.out"; then echo "$(basename "$d"): $code fires"; status=1; fi
    done
    [ $found = 1 ] || { echo "$code: no case tests/cases/$code-quiet-*"; status=1; }
done
for page in "$root"/docs/rules/*.md; do
    c=$(basename "$page" .md)
    echo "$codes" | grep -qx "$c" || { echo "docs/rules/$c.md: no such rule"; status=1; }
done
for d in "$root"/tests/cases/HOP*; do
    c=$(basename "$d" | cut -d- -f1)
    echo "$codes" | grep -qx "$c" || { echo "$(basename "$d"): no such rule $c"; status=1; }
done
exit $status
