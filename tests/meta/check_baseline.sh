#!/bin/sh
# A baseline round trip, as a team adopting gatehop on a legacy config would do it:
#  1. --write-baseline records every finding of the files and exits 0;
#  2. linting with it reports nothing and exits 0, the findings counted as suppressed;
#  3. a new finding in a baselined file is reported, the old ones stay suppressed, and one that
#     was fixed is reported as a stale entry (HOP9004);
#  4. the same through `baseline:` in .gatehop.yml;
#  5. a broken baseline is an error (exit 2).
# usage: check_baseline.sh GATEHOP
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
fail() { echo "baseline: $*"; status=1; }

mkdir -p "$tmp/repo/kong"
cd "$tmp/repo" || exit 2
cat > kong/orders.yaml <<'YAML'
_format_version: "3.0"
services:
- name: orders
  url: http://orders.internal:8080
  retries: "five"
  bogus: 1
YAML
cat > kong/users.yaml <<'YAML'
_format_version: "3.0"
services:
- name: users
  url: http://users.internal:8080
  connect_timeout: "slow"
YAML

"$bin" lint -q kong > /dev/null 2>&1
[ $? = 1 ] || fail "the legacy files should fail before a baseline"
"$bin" lint -q --write-baseline accepted.json kong > out 2>&1
[ $? = 0 ] || fail "--write-baseline should exit 0: $(cat out)"
[ "$(grep -c '"code"' accepted.json)" = 3 ] || fail "the baseline should hold 3 findings: $(cat accepted.json)"
grep -q '"file": "kong/orders.yaml", "code": "HOP2001", "path": "/services/0/bogus"' accepted.json ||
    fail "entries name the file from the baseline's directory: $(cat accepted.json)"

"$bin" lint --baseline accepted.json kong > out 2> err
rc=$?
[ $rc = 0 ] || fail "with the baseline nothing should fail (rc $rc): $(cat out)"
[ -s out ] && fail "with the baseline nothing should be reported: $(cat out)"
grep -q '3 suppressed' err || fail "the summary should count 3 suppressed: $(cat err)"

# The old tool's field is fixed, a new mistake arrives.
sed -i 's/  bogus: 1/  bogus2: 1/' kong/orders.yaml
"$bin" lint -q --no-excerpts --baseline accepted.json kong > out 2>&1
rc=$?
[ $rc = 1 ] || fail "a new finding should fail (rc $rc)"
grep -q "kong/orders.yaml:6:3: error: unknown field 'bogus2'" out || fail "the new finding is reported: $(cat out)"
grep -q "HOP2003" out && fail "baselined findings stay suppressed: $(cat out)"
grep -q "lists HOP2001 at '/services/0/bogus', which no longer occurs.*HOP9004" out ||
    fail "the fixed finding's entry is stale: $(cat out)"

# From a subdirectory, through the project config: the baseline sits beside the config.
printf 'baseline: accepted.json\n' > .gatehop.yml
(cd kong && "$bin" lint -q --no-excerpts users.yaml) > out 2>&1
[ $? = 0 ] || fail "the config's baseline applies from a subdirectory: $(cat out)"
(cd kong && "$bin" lint -q --no-excerpts --baseline '' users.yaml) > out 2>&1
[ $? = 1 ] || fail "--baseline '' uses none: $(cat out)"

printf '{"version": 1, "findings": [' > broken.json
"$bin" lint -q --baseline broken.json kong > out 2>&1
[ $? = 2 ] || fail "a broken baseline is exit 2: $(cat out)"
grep -q "broken.json:1:" out || fail "a broken baseline is named with its line: $(cat out)"
exit $status
