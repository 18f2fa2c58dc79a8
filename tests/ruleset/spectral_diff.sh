#!/bin/sh
# Differential test of organisation rulesets: Spectral and gatehop lint the same file with the
# same ruleset, and compare.js says where their results differ (rule, severity, path, line).
#   - each folder under tests/ruleset/spectral/ holds a ruleset (rules.yaml, which may extend
#     other rules*.yaml files there) and inputs (every other *.yaml and *.json);
#   - decK's upgrade rulesets (tests/ruleset/deck/deck-*.yaml, generate.sh) run on every Kong
#     file of the corpus.
# Spectral is @stoplight/spectral-cli, found as $GATEHOP_SPECTRAL or `spectral` on the PATH
# (.ci/run installs it from the npm registry). Without it the test is skipped (exit 77), unless
# GATEHOP_REQUIRE_SPECTRAL=1 (CI), when it fails.
# usage: spectral_diff.sh GATEHOP ROOT
set -u
bin=$1
root=$2
spectral=${GATEHOP_SPECTRAL:-$(command -v spectral || true)}
if [ -z "$spectral" ] || [ ! -x "$spectral" ]; then
    if [ "${GATEHOP_REQUIRE_SPECTRAL:-0}" = 1 ]; then
        echo "spectral_diff: Spectral is not installed (GATEHOP_SPECTRAL='${GATEHOP_SPECTRAL:-}')"
        exit 1
    fi
    echo "spectral_diff: Spectral is not installed; skipped (set GATEHOP_SPECTRAL)"
    exit 77
fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
status=0
count=0

# compare RULES INPUT LABEL
compare() {
    "$spectral" lint --quiet -r "$1" -f json "$2" > "$tmp/spectral.json" 2> "$tmp/spectral.err"
    rc=$?
    # A filter that throws in JavaScript (a member of null: `@.type` where an item is null)
    # stops Spectral's whole run; gatehop reads it as false (docs/rulesets.md). Nothing to
    # compare then, but gatehop must still run clean.
    thrown=
    if [ $rc = 2 ] && grep -q "Cannot read properties of" "$tmp/spectral.err"; then
        thrown=$(grep -o "Cannot read properties of [^)]*)" "$tmp/spectral.err" | head -1)
    elif [ $rc -gt 1 ] || ! [ -s "$tmp/spectral.json" ]; then
        echo "$3: Spectral failed ($rc): $(head -c 400 "$tmp/spectral.err" "$tmp/spectral.json")"
        status=1
        return
    fi
    "$bin" lint --no-config --ruleset "$1" --format json "$2" > "$tmp/gatehop.json" 2> "$tmp/gatehop.err"
    rc=$?
    if [ $rc -gt 1 ]; then
        echo "$3: gatehop failed ($rc): $(head -c 400 "$tmp/gatehop.err")"
        status=1
        return
    fi
    if [ -n "$thrown" ]; then
        echo "$3: Spectral stopped ($thrown); gatehop ran, not compared"
        return
    fi
    node "$root/tests/ruleset/compare.js" "$tmp/spectral.json" "$tmp/gatehop.json" "$3" || status=1
    count=$((count + 1))
}

for dir in "$root"/tests/ruleset/spectral/*/; do
    name=$(basename "$dir")
    rules=$dir/rules.yaml
    [ -f "$rules" ] || rules=$dir/rules.json
    for input in "$dir"*.yaml "$dir"*.json; do
        [ -f "$input" ] || continue
        case $(basename "$input") in rules*) continue ;; esac
        compare "$rules" "$input" "$name/$(basename "$input")"
    done
done

for rules in "$root"/tests/ruleset/deck/deck-*.yaml; do
    for input in "$root"/corpus/kong/*/*.yaml "$root"/corpus/kong/*/*.json; do
        [ -f "$input" ] || continue
        compare "$rules" "$input" "$(basename "$rules" .yaml) on ${input#"$root"/}"
    done
done

[ $count -gt 0 ] || { echo "spectral_diff: no cases ran"; status=1; }
echo "spectral_diff: $count comparisons"
exit $status
