#!/bin/sh
# Runs one database case against the test cluster (pg_cluster.sh): a folder with `args` (one
# argument per line; @PG@ stands for the cluster's socket folder), optional `env` (NAME=VALUE
# lines), and the expectations expect.out, expect.err, expect.rc. The socket folder is written
# @PG@ in the output compared, so the expectations hold wherever the cluster runs.
# A case named *password* also checks that no output holds the passwords the tests use.
# usage: run_db_case.sh GATEHOP PG_STATE CASE_DIR   (GATEHOP_UPDATE=1 rewrites expectations)
# PG_STATE is the file pg_cluster.sh start wrote: it names the cluster's folder.
set -u
bin=$1
pg=$(cat "$2" 2> /dev/null)
dir=$3
name=$(basename "$dir")
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
[ -n "$pg" ] && [ -S "$pg/.s.PGSQL.5432" ] ||
    { echo "$name: no PostgreSQL server (the test db/cluster-start starts one; see its output)"; exit 1; }

set --
while IFS= read -r arg || [ -n "$arg" ]; do
    [ -n "$arg" ] && set -- "$@" "$(printf '%s' "$arg" | sed "s|@PG@|$pg|g")"
done < "$dir/args"
(
    # libpq reads these; a developer's own must not leak into the cases.
    unset PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD PGSERVICE PGSSLMODE PGCONNECT_TIMEOUT
    if [ -f "$dir/env" ]; then
        while IFS= read -r line || [ -n "$line" ]; do
            [ -n "$line" ] && export "$(printf '%s' "$line" | sed "s|@PG@|$pg|g")"
        done < "$dir/env"
    fi
    cd "$dir" && "$bin" "$@" > "$tmp/out.raw" 2> "$tmp/err.raw"
    echo $? > "$tmp/rc"
)
for kind in out err; do
    sed "s|$pg|@PG@|g" "$tmp/$kind.raw" > "$tmp/$kind"
done

status=0
case $name in
*password*)
    if grep -l -e 'kong-secret-pw' -e 'wrong-secret' "$tmp/out.raw" "$tmp/err.raw"; then
        echo "$name: a password appears in the output above"
        status=1
    fi
    ;;
esac
if [ "${GATEHOP_UPDATE:-0}" = 1 ]; then
    cp "$tmp/out" "$dir/expect.out"
    cp "$tmp/err" "$dir/expect.err"
    cp "$tmp/rc" "$dir/expect.rc"
    echo "updated $name"
    exit $status
fi
for kind in out err rc; do
    if ! cmp -s "$dir/expect.$kind" "$tmp/$kind"; then
        echo "=== $name: expect.$kind differs (expected, then actual) ==="
        diff "$dir/expect.$kind" "$tmp/$kind" | head -40
        status=1
    fi
done
exit $status
