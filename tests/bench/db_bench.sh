#!/bin/sh
# The export benchmark: a throwaway PostgreSQL cluster (tests/db/pg_cluster.sh) with a Kong 3.4
# database of N services, each with a route and a plugin (rate-limiting, a JSON config), made
# in SQL; then `gatehop db export` of it against pg_dump of the same three tables (the
# baseline: the server reading and sending the same rows), best of RUNS, with gatehop's peak
# RSS, which must stay flat as N grows (rows are read through a cursor, written as they come).
# usage: tests/bench/db_bench.sh BUILD_DIR [N ...]     (default N: 100000; BENCH_RUNS, default 3)
set -eu
build=${1:?usage: db_bench.sh BUILD_DIR [N ...]}
shift
[ $# -gt 0 ] || set -- 100000
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${BENCH_RUNS:-3}
pgbin=
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/pg_dump" ] && pgbin=$d; done
[ -n "$pgbin" ] || { echo "db_bench: no PostgreSQL server here (apt-get install postgresql): skipped"; exit 0; }
state=$(mktemp)
trap 'sh "$root/tests/db/pg_cluster.sh" stop "$state"; rm -f "$state"' EXIT
sh "$root/tests/db/pg_cluster.sh" start "$state" "$root/tests/db/fixtures" \
    "$build/tests/yaml2json" "$root" > /dev/null
pg=$(cat "$state")
psql() { "$pgbin/psql" -h "$pg" -U postgres -X -q -v ON_ERROR_STOP=1 "$@"; }

# best COMMAND...: the best wall time of RUNS runs, and the peak RSS of that run.
best() {
    bt=; brss=
    for r in $(seq "$runs"); do
        read -r t rss rc << EOF
$("$build/tests/measure" "$@")
EOF
        [ "$rc" = 0 ] || { echo "db_bench: $1 exited $rc"; exit 1; }
        if [ -z "$bt" ] || awk -v a="$t" -v b="$bt" 'BEGIN { exit !(a < b) }'; then bt=$t; brss=$rss; fi
    done
}

echo "export of a Kong 3.4 database (services, each with a route and a plugin)"
printf '%-8s %9s %11s %10s %8s %10s\n' services rows pg_dump_s export_s ratio peak_RSS_MB
for n in "$@"; do
    db=bench_$n
    psql -d postgres -c "CREATE DATABASE $db" > /dev/null
    (cd "$root/tests/db/fixtures" && psql -d "$db" -f kong-3.4.sql -f parts/kong-3.4-tables.sql \
        -f parts/kong-3.4-tables-more.sql) > /dev/null
    psql -d "$db" > /dev/null << EOF
SET session_replication_role = replica;
INSERT INTO workspaces (id, name) VALUES ('dde1a96f-1d2f-41dc-bcc3-2c393ec42c65', 'default');
INSERT INTO services (id, name, protocol, host, port, path, retries, connect_timeout,
                      read_timeout, write_timeout, enabled, tags, ws_id, created_at, updated_at)
SELECT md5('s' || i)::uuid, 'svc-' || i, 'http', 'backend-' || i || '.internal', 8080, '/api',
       5, 60000, 60000, 60000, true, ARRAY['team-' || (i % 50)],
       'dde1a96f-1d2f-41dc-bcc3-2c393ec42c65', now(), now()
  FROM generate_series(1, $n) i;
INSERT INTO routes (id, name, service_id, protocols, paths, methods, strip_path, preserve_host,
                    regex_priority, https_redirect_status_code, path_handling, request_buffering,
                    response_buffering, ws_id, created_at, updated_at)
SELECT md5('r' || i)::uuid, 'route-' || i, md5('s' || i)::uuid, ARRAY['http', 'https'],
       ARRAY['/svc-' || i], ARRAY['GET', 'POST'], true, false, 0, 426, 'v0', true, true,
       'dde1a96f-1d2f-41dc-bcc3-2c393ec42c65', now(), now()
  FROM generate_series(1, $n) i;
INSERT INTO plugins (id, name, service_id, config, enabled, protocols, ws_id, created_at)
SELECT md5('p' || i)::uuid, 'rate-limiting', md5('s' || i)::uuid,
       jsonb_build_object('minute', 100 + i % 50, 'policy', 'local', 'limit_by', 'consumer',
                          'fault_tolerant', true, 'hide_client_headers', false),
       true, ARRAY['grpc', 'grpcs', 'http', 'https'], 'dde1a96f-1d2f-41dc-bcc3-2c393ec42c65', now()
  FROM generate_series(1, $n) i;
EOF
    best "$pgbin/pg_dump" -h "$pg" -U postgres --data-only -t services -t routes -t plugins \
        -f /dev/null "$db"
    dump_t=$bt
    best "$build/gatehop" db export -q --pg "host=$pg user=postgres dbname=$db" -o /dev/null
    awk -v n="$n" -v d="$dump_t" -v g="$bt" -v rss="$brss" \
        'BEGIN { printf "%-8s %9d %11.2f %10.2f %8.2f %10.1f\n", n, 3 * n, d, g, d / g, rss / 1024 }'
done
