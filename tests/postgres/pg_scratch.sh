#!/bin/sh
# A throwaway PostgreSQL server in a scratch folder, for tests and benchmarks.
#
#   pg_scratch.sh start DIR PORT [SERVER-OPTION...]   init (if needed) and start; prints the URI
#   pg_scratch.sh stop DIR [fast|immediate]           stop (fast by default), keep the data
#   pg_scratch.sh destroy DIR                         stop and remove the data
#   pg_scratch.sh uri DIR PORT [DBNAME]               the libpq URI of a database there
#
# The server listens only on a Unix socket in DIR (no TCP), so servers in
# different folders never collide; PORT only names the socket. Its superuser
# is `sipsaf`, trusted on that socket. PostgreSQL refuses to run as root, so
# when started by root it runs as `nobody`; if `nobody` cannot reach DIR,
# the server's files go to a fresh folder under /tmp named in DIR/location.
# Exit 77 when PostgreSQL is not
# installed (the tests' "skipped" code).
set -eu

find_bin() {
  if [ -n "${SIPSAF_PG_BIN:-}" ] && [ -x "$SIPSAF_PG_BIN/pg_ctl" ]; then
    echo "$SIPSAF_PG_BIN"; return 0
  fi
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  d=$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/pg_ctl)")
  [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  return 1
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

uri() { echo "postgresql://sipsaf@/${3:-sipsaf}?host=$1&port=$2"; }

# Where the server's files are for DIR.
home_of() {
  if [ -f "$1/location" ]; then cat "$1/location"; else echo "$1"; fi
}

cmd=${1:-}
case "$cmd" in
  start)
    [ $# -ge 3 ] || { echo "usage: $0 start DIR PORT [OPTION...]" >&2; exit 2; }
    dir=$2; port=$3; shift 3
    bin=$(find_bin) || { echo "PostgreSQL not installed (no initdb/pg_ctl): skipped" >&2; exit 77; }
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ "$(id -u)" = 0 ] && [ ! -f "$dir/location" ]; then
      chown nobody "$dir"
      if ! runuser -u nobody -- test -w "$dir"; then
        home=$(mktemp -d /tmp/sipsaf-pg-XXXXXX)
        chown nobody "$home"
        echo "$home" >"$dir/location"
      fi
    fi
    dir=$(home_of "$dir")
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner "$bin/initdb" -D "$dir/data" -U sipsaf --auth=trust -E UTF8 --no-locale --no-sync \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-k $dir -p $port -c listen_addresses='' $*" start >/dev/null ||
      { cat "$dir/server.log" >&2; exit 1; }
    if ! "$bin/psql" -X -q -d "$(uri "$dir" "$port" postgres)" -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'sipsaf'" | grep -q 1; then
      "$bin/psql" -X -q -d "$(uri "$dir" "$port" postgres)" -c "CREATE DATABASE sipsaf" >/dev/null
    fi
    uri "$dir" "$port"
    ;;
  stop)
    [ $# -ge 2 ] || { echo "usage: $0 stop DIR [fast|immediate]" >&2; exit 2; }
    bin=$(find_bin) || exit 0
    home=$(home_of "$2")
    [ -f "$home/data/postmaster.pid" ] || exit 0
    as_owner "$bin/pg_ctl" -D "$home/data" -m "${3:-fast}" -w -t 30 stop >/dev/null
    ;;
  destroy)
    [ $# -ge 2 ] || { echo "usage: $0 destroy DIR" >&2; exit 2; }
    "$0" stop "$2" immediate || true
    home=$(home_of "$2")
    rm -rf "$home/data"
    [ -f "$2/location" ] && rm -rf "$home" "$2/location"
    exit 0
    ;;
  uri)
    [ $# -ge 3 ] || { echo "usage: $0 uri DIR PORT [DBNAME]" >&2; exit 2; }
    uri "$(home_of "$2")" "$3" "${4:-}"
    ;;
  *)
    echo "usage: $0 start|stop|uri ..." >&2; exit 2 ;;
esac
