#!/usr/bin/env bash
# A throwaway PostgreSQL server on localhost for the shared-storage tests.
#
#   .ci/postgres.sh start DIR [--install]   # prints `export EXPLORE_TEST_POSTGRES_...` lines
#   .ci/postgres.sh stop DIR
#
# start: (with --install, first installs Debian's postgresql package if no server binaries
# are found), makes a cluster in DIR, starts it on a free localhost port with password
# (scram-sha-256) authentication over TCP, creates the role and database `explore`, and
# prints the URL (no password) and the password as shell exports. The server runs as the
# `postgres` user when this script runs as root (PostgreSQL refuses to run as root).
set -euo pipefail

cmd=${1:?usage: postgres.sh start|stop DIR [--install]}
dir=${2:?usage: postgres.sh start|stop DIR [--install]}

find_bin() {
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$found" ] && [ -x "$found/initdb" ]; then echo "$found"; return; fi
    if command -v initdb > /dev/null; then dirname "$(command -v initdb)"; return; fi
}

as_server() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

bin=$(find_bin)
if [ "$cmd" = stop ]; then
    [ -n "$bin" ] && [ -d "$dir/data" ] && as_server "$bin/pg_ctl" -D "$dir/data" -m fast stop > /dev/null || true
    exit 0
fi

if [ -z "$bin" ] && [ "${3:-}" = --install ]; then
    export DEBIAN_FRONTEND=noninteractive
    sudo=$([ "$(id -u)" = 0 ] && echo "" || echo sudo)
    $sudo apt-get update -qq > /dev/null
    $sudo apt-get install -y -qq --no-install-recommends postgresql > /dev/null
    bin=$(find_bin)
fi
if [ -z "$bin" ]; then
    echo "postgres.sh: no PostgreSQL server binaries (initdb, pg_ctl) found" >&2
    exit 3
fi

mkdir -p "$dir"
password=$(python3 -c "import secrets; print(secrets.token_hex(16))")
port=$(python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
printf '%s\n' "$password" > "$dir/superuser-password"
if [ "$(id -u)" = 0 ]; then chown -R postgres "$dir"; fi
as_server "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/superuser-password" \
    --auth-local=trust --auth-host=scram-sha-256 > "$dir/initdb.log"
as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start > /dev/null
as_server "$bin/psql" -h "$dir" -p "$port" -U postgres -q -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE explore LOGIN PASSWORD '$password'" -c "CREATE DATABASE explore OWNER explore" > /dev/null
echo "export EXPLORE_TEST_POSTGRES_URL=postgresql+psycopg://explore@127.0.0.1:$port/explore"
echo "export EXPLORE_TEST_POSTGRES_PASSWORD=$password"
