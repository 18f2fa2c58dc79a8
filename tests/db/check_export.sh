#!/bin/sh
# gatehop db export against the test cluster (pg_cluster.sh): the database kong_3_4_data was
# filled from corpus/kong/3.4/kong-3.4-dbexport.yaml (workspace default) and
# tests/db/fixtures/team-b.yaml (workspace team-b); kong_2_8_data (Kong 2.8.5's tables) from
# corpus/kong/2.8/kong-2.8-dbexport.yaml, kong_3_7_data (3.7.1's) from the 3.4 file. Each export, YAML and JSON, must give back
# those files field by field (export_compare), lint without errors as a 3.4 db_export file, and
# say on standard error which workspace it took and that there is another. -o replaces its file
# only with a complete export.
# usage: check_export.sh ROOT GATEHOP PG_STATE YAML2JSON EXPORT_COMPARE
set -u
root=$1
bin=$2
pg=$(cat "$3" 2> /dev/null)
yaml2json=$4
compare=$5
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
[ -n "$pg" ] && [ -S "$pg/.s.PGSQL.5432" ] ||
    { echo "export: no PostgreSQL server (the test db/cluster-start starts one)"; exit 1; }
conn="host=$pg user=postgres dbname=kong_3_4_data"
status=0
fail() {
    echo "export: $*"
    status=1
}

# export [DATABASE:]WORKSPACE SOURCE FORMAT [COMPARE_ARGS...]: exports, converts to JSON,
# compares with the source (DATABASE: kong_3_4_data, which has two workspaces).
export_and_compare() {
    db=kong_3_4_data ws=$1 source=$2 format=$3
    case $ws in *:*) db=${ws%%:*} ws=${ws#*:} ;; esac
    shift 3
    out="$tmp/$db-$ws.$format"
    "$bin" db export --pg "host=$pg user=postgres dbname=$db" --workspace "$ws" \
        --output-format "$format" -o "$out" 2> "$tmp/err" ||
        { fail "$db $ws ($format): exit $?"; cat "$tmp/err"; return; }
    if [ "$db" = kong_3_4_data ]; then
        grep -q "workspace '$ws' (the database has 2 workspaces" "$tmp/err" ||
            { fail "$ws ($format): standard error does not name the workspaces"; cat "$tmp/err"; }
    fi
    "$yaml2json" "$root/$source" > "$tmp/source.json"
    if [ "$format" = json ]; then cp "$out" "$tmp/export.json"; else "$yaml2json" "$out" > "$tmp/export.json"; fi
    "$compare" "$tmp/source.json" "$tmp/export.json" "$@" > "$tmp/compare" ||
        { fail "$ws ($format) differs from $source:"; cat "$tmp/compare"; }
    "$bin" lint -q --no-excerpts "$out" > "$tmp/lint" 2>&1 ||
        { fail "$ws ($format): the export does not lint clean:"; head -20 "$tmp/lint"; }
}

for format in yaml json; do
    export_and_compare default corpus/kong/3.4/kong-3.4-dbexport.yaml "$format"
    # The CA certificate and the parameters of the default workspace's file are in no
    # workspace: every export has them.
    export_and_compare team-b tests/db/fixtures/team-b.yaml "$format" +ca_certificates +parameters
    export_and_compare kong_2_8_data:default corpus/kong/2.8/kong-2.8-dbexport.yaml "$format"
    export_and_compare kong_3_7_data:default corpus/kong/3.4/kong-3.4-dbexport.yaml "$format"
done

# Without --workspace: the default one, the same bytes as naming it.
"$bin" db export -q --pg "$conn" > "$tmp/plain.yaml" || fail "export without --workspace failed"
"$bin" db export -q --pg "$conn" --workspace default > "$tmp/named.yaml"
cmp -s "$tmp/plain.yaml" "$tmp/named.yaml" || fail "the default workspace is not the default"

# A failed export leaves -o's file as it was.
echo "kept" > "$tmp/kept.yaml"
"$bin" db export --pg "$conn" --workspace no-such-team -o "$tmp/kept.yaml" 2> "$tmp/err"
rc=$?
[ $rc = 2 ] || fail "an unknown workspace exits $rc, not 2"
grep -q "no workspace 'no-such-team'" "$tmp/err" || fail "an unknown workspace is not named"
[ "$(cat "$tmp/kept.yaml")" = kept ] || fail "a failed export replaced the -o file"
[ -z "$(ls "$tmp" | grep 'kept.yaml.')" ] || fail "a failed export left its temporary file"

# A database with no Kong schema: exit 2, nothing written.
"$bin" db export --pg "host=$pg user=postgres dbname=not_kong" > "$tmp/none" 2> "$tmp/err"
rc=$?
[ $rc = 2 ] && [ ! -s "$tmp/none" ] || fail "a database with no Kong schema: exit $rc, output $(wc -c < "$tmp/none") bytes"
grep -q "not bootstrapped" "$tmp/err" || fail "a database with no Kong schema is not said so"
exit $status
