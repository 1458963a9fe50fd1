#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for benchmarks (the tests start their own,
# see crates/hookbox-pgtest): Debian's server, trust authentication for the
# role `hookbox`, a database `hookbox`, on 127.0.0.1:PORT.
#   scripts/throwaway-postgres.sh start DIR PORT
#   scripts/throwaway-postgres.sh stop DIR
# PG_NICE=N starts the server (and so every backend it forks) at that
# niceness: on a benchmark machine that must also hold the database, it
# stands in for a database on a machine of its own.
# PostgreSQL refuses to run as root: under root it runs as the package's
# `postgres` user, which then owns DIR.
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?directory}
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as=()
if [ "$(id -u)" = 0 ]; then as=(runuser -u postgres --); fi
case "$cmd" in
  start)
    port=${3:?port}
    rm -rf "$dir" && mkdir -p "$dir" && dir=$(cd "$dir" && pwd)
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    "${as[@]}" "$bin/initdb" -D "$dir/data" -U hookbox --auth=trust -E UTF8 --locale=C >/dev/null
    nice -n "${PG_NICE:-0}" "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null
    "$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U hookbox -d postgres -c 'CREATE DATABASE hookbox'
    echo "postgres://hookbox@127.0.0.1:$port/hookbox"
    ;;
  stop)
    [ -d "$dir" ] && dir=$(cd "$dir" && pwd)
    "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
