#!/bin/bash
# Load test of the store-and-forward proxy, end to end on loopback, with sipp:
#
#   1. sipsaf-proxy with its SQLite store (durable: WAL, synchronous=FULL):
#      MESSAGEs to offline users, stored per second (each answered 202 only
#      once it is on disk); then the users register and the messages are
#      delivered: delivered per second; loss = answered 202 but not delivered.
#   2. Kamailio 5.6 with msilo on SQLite (WAL), one worker and two workers:
#      the same store rate; then the users register and msilo sends them
#      their messages (m_dump): delivered per second; loss as above.
# The load comes from several sipp processes at once (SENDERS), so that it
# is not one sipp's ceiling (about 11 000 calls/s); the disk's fdatasync
# rate is measured and printed beside the table.
#
#   benchmarks/proxy_load.sh [BUILD_DIR]          (default: build)
#
# Environment: MESSAGES (default 5000), SENDERS (sipp processes sending at
# once, each on its own port, default 4), RATE (calls per second each sipp
# starts, default 20000: the proxy sets the pace), WINDOW (messages in flight
# per sipp, default 100), USERS (offline recipients, default 10), PORT (first of a few ports,
# default 25100), SKIP_KAMAILIO=1, KEEP=1 (keep the scratch directory).
# Needs sipp and sqlite3; Kamailio (kamailio, kamailio-sqlite-modules) for
# the comparison. Prints a Markdown table.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
proxy_bin=$build/examples/proxy/sipsaf-proxy
ua_bin=$build/examples/ua/sipsaf-ua
messages=${MESSAGES:-5000}
rate=${RATE:-20000}
window=${WINDOW:-100}
senders=${SENDERS:-4}
users=${USERS:-10}
port=${PORT:-25100}

for tool in sipp sqlite3; do
  command -v "$tool" > /dev/null || {
    echo "proxy_load.sh: $tool is needed (Debian: sip-tester, sqlite3)" >&2
    exit 2
  }
done
for b in "$proxy_bin" "$ua_bin"; do
  [ -x "$b" ] || {
    echo "proxy_load.sh: $b is not built" >&2
    exit 2
  }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/sipsaf-load.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  wait 2> /dev/null || true
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

now() { date +%s.%N; }
# CPU seconds (user + system) used so far by a process and its children
# (Kamailio's workers), from /proc.
tick=$(getconf CLK_TCK)
cpu_of() {
  local pids total=0 p t
  pids="$1 $(ps -o pid= --ppid "$1" 2> /dev/null | tr '\n' ' ')"
  for p in $pids; do
    t=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2> /dev/null || echo 0)
    total=$((total + t))
  done
  awk -v t="$total" -v hz="$tick" 'BEGIN { printf "%.3f", t / hz }'
}
rate_of() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# The recipients: u0..u(USERS-1), all offline while the messages are sent.
printf 'SEQUENTIAL\n' > "$work/recipients.csv"
{
  echo "alice wonderland"
  for i in $(seq 0 $((users - 1))); do echo "u$i pw-u$i"; done
} > "$work/users"
for i in $(seq 0 $((users - 1))); do echo "u$i;" >> "$work/recipients.csv"; done
# Quotas out of the way: the run measures storing, not refusing.
printf '[default]\nquota-messages = 100000000\nquota-bytes = 100000000000\n' > "$work/profiles"

# One MESSAGE per sipp call; a digest challenge is answered (-au/-ap); a 202
# ends the call well, a 503 (or anything else) as failed.
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

# Runs the store scenario against HOST:PORT from SENDERS sipp processes at
# once, each on its own local port (LPORT, LPORT+1, ...) with its share of
# the messages, so that the load is not one sipp's ceiling; prints "seconds
# accepted refused retransmissions unexpected" summed over them (seconds:
# from the first start to the last end; unexpected: calls aborted on another
# answer or on a timeout, from sipp's error logs).
run_sipp() {
  local dir=$1 target=$2 lport=$3
  local t0 t1 i n share spids=()
  t0=$(now)
  for i in $(seq 0 $((senders - 1))); do
    share=$((messages / senders + (i < messages % senders ? 1 : 0)))
    mkdir -p "$dir/$i"
    (cd "$dir/$i" && sipp "$target" -sf "$work/store.xml" -inf "$work/recipients.csv" \
      -m "$share" -r "$rate" -l "$window" -i 127.0.0.1 -p $((lport + i)) -nostdin \
      -au alice -ap wonderland -trace_counts -trace_err -timeout 600 > /dev/null 2>&1) &
    spids+=($!)
  done
  for n in "${spids[@]}"; do wait "$n" || true; done
  t1=$(now)
  local unexpected
  unexpected=$(cat "$dir"/*/store_*_errors.log 2> /dev/null | grep -c -E 'Aborting call' || true)
  # The last row of each sender; columns named e.g. 5_202_Recv, 4_503_Recv,
  # 0_MESSAGE_Retrans.
  for i in $(seq 0 $((senders - 1))); do
    awk -F';' '
      NR == 1 { for (i = 1; i <= NF; i++) name[i] = $i; next }
      { for (i = 1; i <= NF; i++) last[i] = $i }
      END {
        for (i in name) {
          if (name[i] ~ /_202_Recv$/) ok += last[i]
          if (name[i] ~ /_503_Recv$/) refused += last[i]
          if (name[i] ~ /MESSAGE_Retrans$/) retrans += last[i]
        }
        printf "%d %d %d\n", ok, refused, retrans
      }' "$(ls "$dir/$i"/store_*_counts.csv)"
  done | awk -v secs="$(elapsed "$t0" "$t1")" -v unexpected="$unexpected" '
    { ok += $1; refused += $2; retrans += $3 }
    END { printf "%s %d %d %d %d\n", secs, ok, refused, retrans, unexpected }'
}

wait_port() {
  local i
  for i in $(seq 100); do
    "$ua_bin" ping --proxy "127.0.0.1:$1" --timeout 0.2 --quiet > /dev/null 2>&1 && return 0
  done
  return 1
}

# Delivery: every user registers (sipsaf-ua listen) at 127.0.0.1:PORT and
# takes its messages; prints "delivered distinct duplicates seconds" (from
# the first REGISTER to the last message; waits until $accepted arrived or
# nothing new came for 10 s).
deliver() {
  local dport=$1 dir=$2 i t0 lpids=()
  mkdir -p "$dir"
  t0=$(now)
  for i in $(seq 0 $((users - 1))); do
    "$ua_bin" listen --proxy "127.0.0.1:$dport" --domain example.test --user "u$i" \
      --password "pw-u$i" --save-dir "$dir/saved" --json --timeout 600 \
      > "$dir/u$i.out" 2> "$dir/u$i.err" &
    lpids+=($!)
    pids+=($!)
  done
  local got=0 last=0 last_change t_last
  last_change=$(now)
  t_last=$t0
  while :; do
    got=$(cat "$dir"/u*.out | grep -c '"event":"message"' || true)
    if [ "$got" != "$last" ]; then
      last=$got
      last_change=$(now)
      t_last=$last_change
    fi
    [ "$got" -ge "$accepted" ] && break
    awk -v a="$last_change" -v b="$(now)" 'BEGIN { exit !(b - a > 10) }' && break
    sleep 0.05
  done
  kill -TERM "${lpids[@]}" 2> /dev/null || true
  wait "${lpids[@]}" 2> /dev/null || true
  local distinct dup
  distinct=$(cat "$dir"/u*.out | { grep '"event":"message"' || true; } |
    sed 's/.*"call_id":"\([^"]*\)".*/\1/' | sort -u | wc -l)
  dup=$(cat "$dir"/u*.out | grep -c '"event":"duplicate"' || true)
  echo "$got $distinct $dup $(elapsed "$t0" "$t_last")"
}

# The disk's own pace where the stores live: appends of 400 bytes, each
# followed by fdatasync, for 2 s (what one durable commit at a time costs).
fdatasync_rate() {
  python3 - "$1" << 'PY'
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
n, t0 = 0, time.monotonic()
while time.monotonic() - t0 < 2.0:
    os.write(fd, b"x" * 400)
    os.fdatasync(fd)
    n += 1
print(round(n / (time.monotonic() - t0)))
PY
}

rows=()
disk_rate=$(fdatasync_rate "$work/fdatasync.probe")
rm -f "$work/fdatasync.probe"
machine="$(nproc) cores, $(awk -F: '/model name/ { sub(/^ /, "", $2); print $2; exit }' /proc/cpuinfo), $(df -T "$work" | awk 'NR == 2 { print $2 }') at $work ($disk_rate fdatasync/s of 400-byte appends)"

# --- 1. sipsaf-proxy ---------------------------------------------------------------
echo "== sipsaf-proxy, SQLite store: $messages MESSAGEs to $users offline users" >&2
"$proxy_bin" --domain example.test --users "$work/users" --profiles "$work/profiles" \
  --udp "127.0.0.1:$port" --tcp "127.0.0.1:$port" --store "sqlite:$work/sipsaf.db" \
  --notify none > "$work/proxy.log" 2>&1 &
proxy_pid=$!
pids+=("$proxy_pid")
wait_port "$port" || {
  echo "sipsaf-proxy did not start" >&2
  tail "$work/proxy.log" >&2
  exit 1
}
cpu0=$(cpu_of "$proxy_pid")
read -r secs accepted refused retrans unexpected < <(run_sipp "$work/sipsaf" "127.0.0.1:$port" $((port + 1)))
cpu=$(elapsed "$cpu0" "$(cpu_of "$proxy_pid")")
store_rate=$(rate_of "$accepted" "$secs")
store_cpu=$(rate_of "$accepted" "$cpu")
echo "   $accepted stored (202) in $secs s: $store_rate/s; $cpu s of CPU: $store_cpu per CPU-second; refused $refused, retransmissions $retrans, aborted $unexpected" >&2

echo "== the $users users register and take their messages" >&2
read -r delivered distinct dup dsecs < <(deliver "$port" "$work/inbox-sipsaf")
deliver_rate=$(rate_of "$delivered" "$dsecs")
loss=$((accepted - distinct))
echo "   $delivered delivered ($distinct distinct, $dup duplicates) in $dsecs s: $deliver_rate/s; loss $loss" >&2
kill -TERM "$proxy_pid"
wait "$proxy_pid" || true
rows+=("| sipsaf-proxy, SQLite store | 1 (one I/O thread) | $accepted | $refused | $((messages - accepted - refused)) | $store_rate | $store_cpu | $deliver_rate | $loss |")

# --- 2. Kamailio msilo ---------------------------------------------------------------
kamailio_run() {
  local workers=$1 kport=$2
  local dir=$work/kamailio-$workers
  mkdir -p "$dir"
  cat /usr/share/kamailio/db_sqlite/standard-create.sql \
    /usr/share/kamailio/db_sqlite/msilo-create.sql | sqlite3 "$dir/silo.db"
  sqlite3 "$dir/silo.db" 'PRAGMA journal_mode=WAL;' > /dev/null
  local modules=/usr/lib/x86_64-linux-gnu/kamailio/modules
  [ -d "$modules" ] || modules=$(dirname "$(find /usr/lib -name msilo.so | head -n 1)")
  cat > "$dir/kamailio.cfg" << EOF
#!KAMAILIO
# msilo: a MESSAGE for a user without a registration is stored in SQLite and
# answered 202; it is sent on the user's next REGISTER (m_dump).
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
loadmodule "db_sqlite.so"
loadmodule "msilo.so"
modparam("usrloc", "db_mode", 0)
modparam("db_sqlite", "db_set_journal_mode", "$dir/silo.db=WAL;")
modparam("msilo", "db_url", "sqlite://$dir/silo.db")
modparam("msilo", "expire_time", 7200)
# Stored messages go out through this Kamailio itself, which finds the
# user's registration (the recipients' domain is not in DNS).
modparam("msilo", "outbound_proxy", "sip:127.0.0.1:$kport")
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
  # 512 MB of shared memory: a burst keeps thousands of transactions alive
  # for their wait timer, more than the 64 MB default holds.
  kamailio -f "$dir/kamailio.cfg" -DD -E -m 512 > "$dir/kamailio.log" 2>&1 &
  local kpid=$!
  pids+=("$kpid")
  wait_port "$kport" || true  # Kamailio answers OPTIONS 405: any answer will do
  local secs accepted refused retrans unexpected cpu0 cpu
  cpu0=$(cpu_of "$kpid")
  read -r secs accepted refused retrans unexpected < <(run_sipp "$dir/sipp" "127.0.0.1:$kport" $((kport + 1)))
  cpu=$(elapsed "$cpu0" "$(cpu_of "$kpid")")
  local stored
  stored=$(sqlite3 "$dir/silo.db" 'SELECT count(*) FROM silo;')
  local krate kcpu
  krate=$(rate_of "$accepted" "$secs")
  kcpu=$(rate_of "$accepted" "$cpu")
  local locked
  locked=$(grep -c 'database is locked' "$dir/kamailio.log" || true)
  echo "   $accepted stored (202) in $secs s: $krate/s; $cpu s of CPU: $kcpu per CPU-second; refused $refused (503), rows $stored, 'database is locked' $locked times, retransmissions $retrans, aborted $unexpected" >&2
  # Delivery: msilo sends a user's messages when the user registers (m_dump).
  local delivered distinct dup dsecs
  read -r delivered distinct dup dsecs < <(deliver "$kport" "$dir/inbox")
  kill -TERM "$kpid"
  wait "$kpid" || true
  local kloss=$((accepted > distinct ? accepted - distinct : 0))
  local drate
  drate=$(rate_of "$delivered" "$dsecs")
  echo "   $delivered delivered ($distinct distinct, $dup duplicates) in $dsecs s: $drate/s; loss $kloss" >&2
  rows+=("| Kamailio $(kamailio -v | awk 'NR == 1 { print $3 }') msilo, SQLite WAL | $workers | $accepted | $refused | $((messages - accepted - refused)) | $krate | $kcpu | $drate | $kloss |")
}

if [ "${SKIP_KAMAILIO:-0}" != 1 ] && command -v kamailio > /dev/null; then
  echo "== Kamailio msilo, one worker" >&2
  kamailio_run 1 $((port + 10))
  echo "== Kamailio msilo, two workers" >&2
  kamailio_run 2 $((port + 20))
fi

echo
echo "Machine: $machine; $messages MESSAGEs ($senders sipp processes, UDP, at most $window in flight each) to $users offline users."
echo
echo "| proxy | workers | 202 stored | 503 refused | other or no answer | stored/s | stored per CPU-s | delivered/s | loss |"
echo "|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
