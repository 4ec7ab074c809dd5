#!/bin/bash
# Several proxies, one PostgreSQL: stores and deliveries per second with 1, 2
# and 3 sipsaf-proxy processes sharing one database, beside Kamailio 5.6 msilo
# on the same PostgreSQL with 1 and 2 workers; loss counted. One run, one
# PostgreSQL (default settings: fsync and synchronous_commit on).
#
#   benchmarks/cluster_load.sh [BUILD_DIR]          (default: build)
#
# Each proxy gets its own sipp (UDP, digest answered) sending MESSAGEs to
# offline users, MESSAGES in all; a 202 counts as stored. Loss: answered 202
# but not in the database (stores), or not delivered (deliveries). Delivery:
# the users register, spread over the proxies, and take their messages.
# Environment: MESSAGES (default 3000), WINDOW (messages in flight per sipp,
# default 100), USERS (default 12), PORT (first port, default 27500),
# SKIP_KAMAILIO=1, KEEP=1. Needs sipp and PostgreSQL 15 (postgresql);
# Kamailio (kamailio, kamailio-postgres-modules) for the comparison.
# Prints a Markdown table.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/benchmarks/lib.sh"
build=${1:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
proxy_bin=$build/examples/proxy/sipsaf-proxy
ua_bin=$build/examples/ua/sipsaf-ua
pg=$root/tests/postgres/pg_scratch.sh
messages=${MESSAGES:-3000}
rate=20000
window=${WINDOW:-100}
users=${USERS:-12}
port=${PORT:-27500}

command -v sipp > /dev/null || { echo "cluster_load.sh: sipp is needed (sip-tester)" >&2; exit 2; }
require_built "$proxy_bin" "$ua_bin"
psql=$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -n 1)/psql
[ -x "$psql" ] || { echo "cluster_load.sh: PostgreSQL is needed (postgresql)" >&2; exit 2; }

make_scratch sipsaf-cluster
stop_pg() { "$pg" destroy "$work/pg" > /dev/null 2>&1 || true; }
cleanup_hooks+=(stop_pg)

# PostgreSQL: the proxies on its Unix socket, Kamailio over loopback TCP.
pgport=$port
"$pg" start "$work/pg" "$pgport" "-c listen_addresses=127.0.0.1" > /dev/null
sql() { "$psql" -X -q -tA -d "$("$pg" uri "$work/pg" "$pgport" "$1")" -c "$2"; }

write_load_files

rows=()
machine=$(machine_of "$work")

# --- sipsaf-proxy: 1, 2, 3 processes -----------------------------------------------
for n in 1 2 3; do
  db=sipsaf_p$n
  sql sipsaf "CREATE DATABASE $db"
  uri=$("$pg" uri "$work/pg" "$pgport" "$db")
  echo "== $n sipsaf-proxy on one PostgreSQL: $messages MESSAGEs to $users offline users" >&2
  targets=()
  ppids=()
  for i in $(seq 0 $((n - 1))); do
    p=$((port + 10 * n + i))
    "$proxy_bin" --domain example.test --users "$work/users" --profiles "$work/profiles" \
      --udp "127.0.0.1:$p" --tcp "127.0.0.1:$p" --store "$uri" --notify none \
      > "$work/proxy-$n-$i.log" 2>&1 &
    ppids+=($!)
    pids+=($!)
    wait_port "$p" || { echo "sipsaf-proxy did not start" >&2; tail "$work/proxy-$n-$i.log" >&2; exit 1; }
    targets+=("127.0.0.1:$p")
  done
  sent=$(((messages / n) * n))
  read -r secs accepted refused _ < <(run_sipps "$work/sipp-$n" $((port + 90)) "$sent" "${targets[@]}")
  stored=$(sql "$db" "SELECT count(*) FROM sipsaf_messages")
  sloss=$((accepted > stored ? accepted - stored : 0))
  store_rate=$(rate_of "$accepted" "$secs")
  echo "   $accepted stored (202) in $secs s: $store_rate/s; refused $refused; rows $stored" >&2

  # Delivery: user i registers at proxy i mod n.
  read -r delivered distinct _ dsecs < <(deliver "$work/inbox-$n" "$accepted" "${targets[@]}")
  deliver_rate=$(rate_of "$delivered" "$dsecs")
  dloss=$((accepted > distinct ? accepted - distinct : 0))
  echo "   $delivered delivered ($distinct distinct) in $dsecs s: $deliver_rate/s; loss $dloss" >&2
  kill -TERM "${ppids[@]}"
  wait "${ppids[@]}" || true
  rows+=("| sipsaf-proxy x $n, PostgreSQL | $n | $sent | $accepted | $refused | $store_rate | $sloss | $deliver_rate | $dloss |")
done

# --- Kamailio msilo on the same PostgreSQL ----------------------------------------
kamailio_run() {
  local workers=$1 kport=$2
  local dir=$work/kamailio-$workers db=kam_w$workers kpid
  mkdir -p "$dir"
  sql sipsaf "CREATE DATABASE $db"
  "$psql" -X -q -d "$("$pg" uri "$work/pg" "$pgport" "$db")" \
    -f /usr/share/kamailio/postgres/standard-create.sql \
    -f /usr/share/kamailio/postgres/msilo-create.sql > /dev/null
  kamailio_start "$dir" "$workers" "$kport" db_postgres \
    "modparam(\"msilo\", \"db_url\", \"postgres://sipsaf@127.0.0.1:$pgport/$db\")"
  local secs accepted refused
  read -r secs accepted refused _ < <(run_sipps "$dir/sipp" $((port + 90)) "$messages" "127.0.0.1:$kport")
  kill -TERM "$kpid"
  wait "$kpid" || true
  local stored
  stored=$(sql "$db" "SELECT count(*) FROM silo")
  local kloss=$((accepted > stored ? accepted - stored : 0))
  local krate
  krate=$(rate_of "$accepted" "$secs")
  echo "   $accepted stored (202) in $secs s: $krate/s; refused $refused; rows $stored" >&2
  rows+=("| Kamailio $(kamailio_version) msilo, PostgreSQL | $workers | $messages | $accepted | $refused | $krate | $kloss | - | - |")
}

if kamailio_wanted; then
  echo "== Kamailio msilo on PostgreSQL, one worker" >&2
  kamailio_run 1 $((port + 60))
  echo "== Kamailio msilo on PostgreSQL, two workers" >&2
  kamailio_run 2 $((port + 70))
fi

print_table "Machine: $machine; PostgreSQL $("$psql" --version | awk '{ print $3 }') with fsync and synchronous_commit on; $messages MESSAGEs (sipp per proxy, UDP, at most $window in flight each) to $users offline users." \
  "| proxy | processes (workers) | sent | 202 stored | 503 refused | stored/s | store loss | delivered/s | delivery loss |"
