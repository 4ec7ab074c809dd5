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
build=${1:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
proxy_bin=$build/examples/proxy/sipsaf-proxy
ua_bin=$build/examples/ua/sipsaf-ua
pg=$root/tests/postgres/pg_scratch.sh
messages=${MESSAGES:-3000}
window=${WINDOW:-100}
users=${USERS:-12}
port=${PORT:-27500}

command -v sipp > /dev/null || { echo "cluster_load.sh: sipp is needed (sip-tester)" >&2; exit 2; }
for b in "$proxy_bin" "$ua_bin"; do
  [ -x "$b" ] || { echo "cluster_load.sh: $b is not built" >&2; exit 2; }
done
psql=$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -n 1)/psql
[ -x "$psql" ] || { echo "cluster_load.sh: PostgreSQL is needed (postgresql)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/sipsaf-cluster.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  wait 2> /dev/null || true
  "$pg" destroy "$work/pg" > /dev/null 2>&1 || true
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

now() { date +%s.%N; }
rate_of() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# PostgreSQL: the proxies on its Unix socket, Kamailio over loopback TCP.
pgport=$port
"$pg" start "$work/pg" "$pgport" "-c listen_addresses=127.0.0.1" > /dev/null
sql() { "$psql" -X -q -tA -d "$("$pg" uri "$work/pg" "$pgport" "$1")" -c "$2"; }

printf 'SEQUENTIAL\n' > "$work/recipients.csv"
{
  echo "alice wonderland"
  for i in $(seq 0 $((users - 1))); do echo "u$i pw-u$i"; done
} > "$work/users"
for i in $(seq 0 $((users - 1))); do echo "u$i;" >> "$work/recipients.csv"; done
printf '[default]\nquota-messages = 100000000\nquota-bytes = 100000000000\n' > "$work/profiles"

# One MESSAGE per call; 202 ends it well, 503 as refused.
cat > "$work/store.xml" << 'EOF'
<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="store">
  <send retrans="500">
    <![CDATA[
MESSAGE sip:[field0]@example.test SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
Max-Forwards: 70
From: <sip:alice@example.test>;tag=[pid]-[call_number]
To: <sip:[field0]@example.test>
Call-ID: [call_id]
CSeq: 1 MESSAGE
Request-Disposition: store-and-forward-if-not-reached
Content-Type: text/plain
Content-Length: [len]

load message [call_id] for [field0]
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="407" optional="true" auth="true" next="auth"/>
  <recv response="401" optional="true" auth="true" next="auth"/>
  <recv response="503" optional="true" next="refused"/>
  <recv response="202" next="done"/>
  <label id="auth"/>
  <send retrans="500">
    <![CDATA[
MESSAGE sip:[field0]@example.test SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
Max-Forwards: 70
From: <sip:alice@example.test>;tag=[pid]-[call_number]
To: <sip:[field0]@example.test>
Call-ID: [call_id]
CSeq: 2 MESSAGE
[authentication]
Request-Disposition: store-and-forward-if-not-reached
Content-Type: text/plain
Content-Length: [len]

load message [call_id] for [field0]
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="503" optional="true" next="refused"/>
  <recv response="202" next="done"/>
  <label id="refused"/>
  <nop><action><exec int_cmd="stop_call"/></action></nop>
  <label id="done"/>
</scenario>
EOF

# Starts one sipp per target (HOST:PORT ...) together, COUNT calls each, in
# directory $1; prints "seconds accepted refused" for all of them.
run_sipps() {
  local dir=$1 count=$2
  shift 2
  local t0 t1 i=0 spids=()
  t0=$(now)
  for target in "$@"; do
    mkdir -p "$dir/$i"
    (cd "$dir/$i" && sipp "$target" -sf "$work/store.xml" -inf "$work/recipients.csv" \
      -m "$count" -r 20000 -l "$window" -i 127.0.0.1 -p $((port + 90 + i)) -nostdin \
      -au alice -ap wonderland -trace_counts -timeout 600 > /dev/null 2>&1) &
    spids+=($!)
    i=$((i + 1))
  done
  wait "${spids[@]}" || true
  t1=$(now)
  local ok=0 refused=0 a r
  for f in "$dir"/*/store_*_counts.csv; do
    read -r a r < <(awk -F';' '
      NR == 1 { for (i = 1; i <= NF; i++) name[i] = $i; next }
      { for (i = 1; i <= NF; i++) last[i] = $i }
      END { for (i in name) { if (name[i] ~ /_202_Recv$/) ok += last[i]
                              if (name[i] ~ /_503_Recv$/) no += last[i] }
            printf "%d %d\n", ok, no }' "$f")
    ok=$((ok + a))
    refused=$((refused + r))
  done
  echo "$(elapsed "$t0" "$t1") $ok $refused"
}

wait_port() {
  local i
  for i in $(seq 100); do
    "$ua_bin" ping --proxy "127.0.0.1:$1" --timeout 0.2 --quiet > /dev/null 2>&1 && return 0
  done
  return 1
}

rows=()
machine="$(nproc) cores, $(awk -F: '/model name/ { sub(/^ /, "", $2); print $2; exit }' /proc/cpuinfo), $(df -T "$work" | awk 'NR == 2 { print $2 }') at $work"

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
  read -r secs accepted refused < <(run_sipps "$work/sipp-$n" $((messages / n)) "${targets[@]}")
  sent=$(((messages / n) * n))
  stored=$(sql "$db" "SELECT count(*) FROM sipsaf_messages")
  sloss=$((accepted > stored ? accepted - stored : 0))
  store_rate=$(rate_of "$accepted" "$secs")
  echo "   $accepted stored (202) in $secs s: $store_rate/s; refused $refused; rows $stored" >&2

  # Delivery: user i registers at proxy i mod n.
  t0=$(now)
  lpids=()
  for i in $(seq 0 $((users - 1))); do
    "$ua_bin" listen --proxy "${targets[$((i % n))]}" --domain example.test --user "u$i" \
      --password "pw-u$i" --save-dir "$work/inbox" --json --timeout 600 \
      > "$work/u$i-$n.out" 2> "$work/u$i-$n.err" &
    lpids+=($!)
    pids+=($!)
  done
  last=0
  last_change=$(now)
  t_last=$t0
  while :; do
    delivered=$(cat "$work"/u*-$n.out | grep -c '"event":"message"' || true)
    if [ "$delivered" != "$last" ]; then
      last=$delivered
      last_change=$(now)
      t_last=$last_change
    fi
    [ "$delivered" -ge "$accepted" ] && break
    awk -v a="$last_change" -v b="$(now)" 'BEGIN { exit !(b - a > 10) }' && break
    sleep 0.05
  done
  kill -TERM "${lpids[@]}" 2> /dev/null || true
  wait "${lpids[@]}" 2> /dev/null || true
  distinct=$(cat "$work"/u*-$n.out | grep '"event":"message"' |
    sed 's/.*"call_id":"\([^"]*\)".*/\1/' | sort -u | wc -l)
  dsecs=$(elapsed "$t0" "$t_last")
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
  local dir=$work/kamailio-$workers db=kam_w$workers
  mkdir -p "$dir"
  sql sipsaf "CREATE DATABASE $db"
  "$psql" -X -q -d "$("$pg" uri "$work/pg" "$pgport" "$db")" \
    -f /usr/share/kamailio/postgres/standard-create.sql \
    -f /usr/share/kamailio/postgres/msilo-create.sql > /dev/null
  local modules=/usr/lib/x86_64-linux-gnu/kamailio/modules
  [ -d "$modules" ] || modules=$(dirname "$(find /usr/lib -name msilo.so | head -n 1)")
  cat > "$dir/kamailio.cfg" << EOF
#!KAMAILIO
# msilo: a MESSAGE for a user without a registration is stored in PostgreSQL
# and answered 202; it is sent on the user's next REGISTER (m_dump).
debug=1
log_stderror=yes
fork=yes
children=$workers
disable_tcp=yes
listen=udp:127.0.0.1:$kport
alias="example.test"
mpath="$modules/"
loadmodule "pv.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "db_postgres.so"
loadmodule "msilo.so"
modparam("usrloc", "db_mode", 0)
modparam("msilo", "db_url", "postgres://sipsaf@127.0.0.1:$pgport/$db")
modparam("msilo", "expire_time", 7200)
request_route {
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
  if (is_method("REGISTER")) { save("location"); m_dump(); exit; }
  if (!is_method("MESSAGE")) { sl_send_reply("405", "Method Not Allowed"); exit; }
  if (lookup("location")) { t_relay(); exit; }
  if (!t_newtran()) { sl_reply_error(); exit; }
  if (m_store("\$ru")) { t_reply("202", "Accepted"); } else { t_reply("503", "Service Unavailable"); }
  exit;
}
EOF
  kamailio -f "$dir/kamailio.cfg" -DD -E -m 512 > "$dir/kamailio.log" 2>&1 &
  local kpid=$!
  pids+=("$kpid")
  wait_port "$kport" || true  # Kamailio answers OPTIONS 405: any answer will do
  local secs accepted refused
  read -r secs accepted refused < <(run_sipps "$dir/sipp" "$messages" "127.0.0.1:$kport")
  kill -TERM "$kpid"
  wait "$kpid" || true
  local stored
  stored=$(sql "$db" "SELECT count(*) FROM silo")
  local kloss=$((accepted > stored ? accepted - stored : 0))
  local krate
  krate=$(rate_of "$accepted" "$secs")
  echo "   $accepted stored (202) in $secs s: $krate/s; refused $refused; rows $stored" >&2
  rows+=("| Kamailio $(kamailio -v | awk 'NR == 1 { print $3 }') msilo, PostgreSQL | $workers | $messages | $accepted | $refused | $krate | $kloss | - | - |")
}

if [ "${SKIP_KAMAILIO:-0}" != 1 ] && command -v kamailio > /dev/null; then
  echo "== Kamailio msilo on PostgreSQL, one worker" >&2
  kamailio_run 1 $((port + 60))
  echo "== Kamailio msilo on PostgreSQL, two workers" >&2
  kamailio_run 2 $((port + 70))
fi

echo
echo "Machine: $machine; PostgreSQL $("$psql" --version | awk '{ print $3 }') with fsync and synchronous_commit on; $messages MESSAGEs (sipp per proxy, UDP, at most $window in flight each) to $users offline users."
echo
echo "| proxy | processes (workers) | sent | 202 stored | 503 refused | stored/s | store loss | delivered/s | delivery loss |"
echo "|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
