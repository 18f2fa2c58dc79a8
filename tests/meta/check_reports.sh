#!/bin/sh
# The SARIF, JUnit and checkstyle reports of one run (a file with findings whose messages need
# escaping, and a clean file) checked against the schemas in tests/schemas; then the same
# reports, each broken in one place, must be refused, so that this test can fail.
#
#   check_reports.sh ROOT GATEHOP JSON_SCHEMA_CHECK XSD_CHECK
set -u
root=$1 gatehop=$2 json_check=$3 xsd_check=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
schemas=$root/tests/schemas
failed=0

"$gatehop" lint -q --to kong@3.4 --format text --output sarif="$work/r.sarif" \
    --output junit="$work/r.xml" --output checkstyle="$work/c.xml" \
    "$root/tests/cases/format-sarif/kong.yml" "$root/corpus/kong/3.4/kong-3.4-deck.yaml" \
    >/dev/null
if [ $? -ne 1 ]; then
    echo "FAIL: lint did not exit 1 on the fixture with findings"
    failed=1
fi

expect() { # expect valid|invalid CHECKER SCHEMA DOCUMENT
    want=$1
    shift
    if "$@" >"$work/out" 2>&1; then got=valid; else got=invalid; fi
    if [ "$got" != "$want" ]; then
        echo "FAIL: $4 is $got against $(basename "$3"), expected $want"
        cat "$work/out"
        failed=1
    fi
}

expect valid "$json_check" "$schemas/sarif-2.1.0-subset.json" "$work/r.sarif"
expect valid "$xsd_check" "$schemas/junit.xsd" "$work/r.xml"
expect valid "$xsd_check" "$schemas/checkstyle.xsd" "$work/c.xml"

sed 's/"level": "warning"/"level": "fatal"/' "$work/r.sarif" >"$work/bad-level.sarif"
expect invalid "$json_check" "$schemas/sarif-2.1.0-subset.json" "$work/bad-level.sarif"
sed 's/"startLine"/"startline"/' "$work/r.sarif" >"$work/bad-key.sarif"
expect invalid "$json_check" "$schemas/sarif-2.1.0-subset.json" "$work/bad-key.sarif"
sed 's/ failures="[0-9]*"//' "$work/r.xml" >"$work/bad.xml"
expect invalid "$xsd_check" "$schemas/junit.xsd" "$work/bad.xml"
sed 's/severity="error"/severity="fatal"/' "$work/c.xml" >"$work/bad-c.xml"
expect invalid "$xsd_check" "$schemas/checkstyle.xsd" "$work/bad-c.xml"

[ $failed -eq 0 ] && echo "reports match their schemas; broken ones are refused"
exit $failed
