#!/bin/sh
# A throwaway PostgreSQL cluster for the database tests: initdb in a new folder under /tmp (a
# socket path must stay under 108 bytes, which a deep build folder may not), a Unix socket
# there and no TCP port, the fixture databases loaded (tests/db/fixtures/NAME.sql becomes
# database NAME, dots and dashes as underscores; then NAME.load, when there is one, lists the
# db_export-shaped files to fill it with, through gatehop_load_export(): YAML2JSON, the test
# tool, turns each into JSON first). STATE (a file) records the folder for the
# tests (run_db_case.sh) and for `stop`, which stops the server and removes it all. As root,
# the server runs as the unprivileged user `nobody` (PostgreSQL refuses to run as root).
# Users: `postgres` (trust, the superuser) and `kong` (a password, scram-sha-256), to test
# that a refused password never shows. A cluster that cannot start fails with the reason.
# usage: pg_cluster.sh start STATE FIXTURES_DIR YAML2JSON ROOT | stop STATE
set -eu
usage="usage: pg_cluster.sh start STATE FIXTURES_DIR YAML2JSON ROOT | stop STATE"
action=${1:?$usage}
state=${2:?$usage}

bin=
for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && bin=$d
done
[ -n "$bin" ] || { echo "pg_cluster: no PostgreSQL server (apt-get install postgresql)"; exit 1; }

as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u nobody -- "$@"
    else
        "$@"
    fi
}

stop() {
    [ -f "$state" ] || return 0
    dir=$(cat "$state")
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop > /dev/null 2>&1 || true
    fi
    case $dir in /tmp/gatehop-pg.*) rm -rf "$dir" ;; esac
    rm -f "$state"
}

if [ "$action" = stop ]; then
    stop
    exit 0
fi

fixtures=${3:?$usage}
yaml2json=${4:?$usage}
root=${5:?$usage}
stop
dir=$(mktemp -d /tmp/gatehop-pg.XXXXXX)
echo "$dir" > "$state"
[ "$(id -u)" = 0 ] && chown nobody "$dir"
as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=reject \
    -E UTF8 --locale=C > "$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; exit 1; }
cat > "$dir/data/pg_hba.conf" << EOF
local all kong scram-sha-256
local all all trust
EOF
as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-k $dir -c listen_addresses= -c fsync=off" start > /dev/null ||
    { cat "$dir/server.log"; exit 1; }

psql() {
    "$bin/psql" -h "$dir" -U postgres -X -q -v ON_ERROR_STOP=1 "$@"
}
psql -d postgres -c "CREATE ROLE kong LOGIN PASSWORD 'kong-secret-pw'" > /dev/null
psql -d postgres -c "CREATE DATABASE empty" > /dev/null
psql -d postgres -c "REVOKE CONNECT ON DATABASE empty FROM PUBLIC" > /dev/null
for f in "$fixtures"/*.sql; do
    name=$(basename "$f" .sql | tr '.-' '__')
    psql -d postgres -c "CREATE DATABASE $name OWNER kong" > /dev/null
    psql -d "$name" -f "$f" > /dev/null
    psql -d "$name" -c "GRANT SELECT ON ALL TABLES IN SCHEMA public TO kong" > /dev/null
done
for f in "$fixtures"/*.load; do
    [ -f "$f" ] || continue
    name=$(basename "$f" .load | tr '.-' '__')
    grep -v '^#' "$f" | while read -r workspace file; do
        [ -n "$file" ] || continue
        json="$dir/$(basename "$file").json"
        "$yaml2json" "$root/$file" > "$json"
        printf '\\set doc `cat %s`\nSELECT gatehop_load_export(:%s::jsonb, %s);\n' \
            "$json" "'doc'" "'$workspace'" | psql -d "$name" > /dev/null
    done
done
echo "pg_cluster: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') in $dir"
