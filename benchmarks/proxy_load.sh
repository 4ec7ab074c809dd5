#!/bin/bash
# Load test of the store-and-forward proxy, end to end on loopback:
#
#   1. sipsaf-proxy with its SQLite store (durable: WAL, synchronous=FULL):
#      MESSAGEs to offline users, stored per second (each answered 202 only
#      once it is on disk); then the users register and the messages are
#      delivered: delivered per second; loss = answered 202 but not delivered.
#   2. Kamailio 5.6 with msilo on SQLite (WAL), one worker and two workers:
#      the same store rate; then the users register and msilo sends them
#      their messages (m_dump): delivered per second; loss as above.
# The load comes from sip_load (benchmarks/sip_load.cpp: one thread, SENDERS
# UDP sockets), or with LOAD=sipp from several sipp processes at once
# (SENDERS), so that it is not one sipp's ceiling (about 11 000 calls/s); the
# generator's own CPU per stored message is printed, and the disk's
# fdatasync rate, beside the table.
#
#   benchmarks/proxy_load.sh [BUILD_DIR]          (default: build)
#
# Environment: MESSAGES (default 5000), LOAD (native: sip_load, the default
# when it is built; sipp), AUTH (native only: each, the default, challenges
# every MESSAGE as sipp does; reuse sends later MESSAGEs with the nonce of the
# socket's last challenge and a higher nonce-count, as user agents do),
# SENDERS (sockets of sip_load, or sipp processes, sending at once, each on
# its own port, default 4), KAMAILIO_SENDERS (the same for Kamailio, default
# SENDERS: each proxy may get the load it does best with), RATE (sipp only:
# calls per second each sipp starts, default 20000: the proxy sets the pace),
# WINDOW (messages in flight per socket or sipp, default 100), USERS (offline
# recipients, default 10), PORT (first of a few ports, default 25100),
# SKIP_KAMAILIO=1, KEEP=1 (keep the scratch directory). Needs sqlite3, and
# sipp for LOAD=sipp; Kamailio (kamailio, kamailio-sqlite-modules) for the
# comparison. Prints a Markdown table.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/benchmarks/lib.sh"
build=${1:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
proxy_bin=$build/examples/proxy/sipsaf-proxy
ua_bin=$build/examples/ua/sipsaf-ua
load_bin=$build/benchmarks/sip_load
messages=${MESSAGES:-5000}
rate=${RATE:-20000}
window=${WINDOW:-100}
senders=${SENDERS:-4}
ksenders=${KAMAILIO_SENDERS:-$senders}
users=${USERS:-10}
port=${PORT:-25100}
load=${LOAD:-$([ -x "$load_bin" ] && echo native || echo sipp)}
auth=${AUTH:-each}
case $load/$auth in
  native/each | native/reuse | sipp/each) ;;
  *)
    echo "proxy_load.sh: LOAD=native|sipp, AUTH=each|reuse (reuse with native only)" >&2
    exit 2
    ;;
esac

tools=(sqlite3)
[ "$load" = sipp ] && tools+=(sipp)
for tool in "${tools[@]}"; do
  command -v "$tool" > /dev/null || {
    echo "proxy_load.sh: $tool is needed (Debian: sip-tester, sqlite3)" >&2
    exit 2
  }
done
require_built "$proxy_bin" "$ua_bin"
[ "$load" = native ] && require_built "$load_bin"

make_scratch sipsaf-load
write_load_files

# The store scenario against HOST:PORT from sip_load's SENDERS sockets or
# SENDERS sipp processes at once.
run_load() {
  local dir=$1 target=$2 lport=$3 i targets=()
  if [ "$load" = native ]; then
    run_native "$dir" "$lport" "$messages" "$target"
    return
  fi
  for i in $(seq "$senders"); do targets+=("$target"); done
  run_sipps "$dir" "$lport" "$messages" "${targets[@]}"
}
# What the generator cost, per proxy, for the caption.
load_costs=()

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
machine="$(machine_of "$work") ($disk_rate fdatasync/s of 400-byte appends)"

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
read -r secs accepted refused retrans unexpected < <(run_load "$work/sipsaf" "127.0.0.1:$port" $((port + 1)))
cpu=$(elapsed "$cpu0" "$(cpu_of "$proxy_pid")")
store_rate=$(rate_of "$accepted" "$secs")
store_cpu=$(rate_of "$accepted" "$cpu")
store_ms=$(per_1000 "$cpu" "$accepted")
echo "   $accepted stored (202) in $secs s: $store_rate/s; $cpu s of CPU: $store_cpu per CPU-second; refused $refused, retransmissions $retrans, aborted $unexpected" >&2
gen_us=$(load_us_per_stored "$work/sipsaf" "$accepted")
echo "   the load ($load) used $gen_us us of CPU per stored message" >&2
load_costs+=("$gen_us µs against sipsaf-proxy")

echo "== the $users users register and take their messages" >&2
read -r delivered distinct dup dsecs < <(deliver "$work/inbox-sipsaf" "$accepted" "127.0.0.1:$port")
deliver_rate=$(rate_of "$delivered" "$dsecs")
loss=$((accepted - distinct))
echo "   $delivered delivered ($distinct distinct, $dup duplicates) in $dsecs s: $deliver_rate/s; loss $loss" >&2
kill -TERM "$proxy_pid"
wait "$proxy_pid" || true
rows+=("| sipsaf-proxy, SQLite store | 1 (one I/O thread) | $accepted | $refused | $((messages - accepted - refused)) | $store_rate | $store_cpu | $store_ms | $deliver_rate | $loss |")

# --- 2. Kamailio msilo ---------------------------------------------------------------
kamailio_run() {
  local workers=$1 kport=$2
  local dir=$work/kamailio-$workers kpid senders=$ksenders
  mkdir -p "$dir"
  cat /usr/share/kamailio/db_sqlite/standard-create.sql \
    /usr/share/kamailio/db_sqlite/msilo-create.sql | sqlite3 "$dir/silo.db"
  sqlite3 "$dir/silo.db" 'PRAGMA journal_mode=WAL;' > /dev/null
  # Stored messages go out through this Kamailio itself, which finds the
  # user's registration (the recipients' domain is not in DNS).
  kamailio_start "$dir" "$workers" "$kport" db_sqlite \
    "modparam(\"db_sqlite\", \"db_set_journal_mode\", \"$dir/silo.db=WAL;\")" \
    "modparam(\"msilo\", \"db_url\", \"sqlite://$dir/silo.db\")" \
    "modparam(\"msilo\", \"outbound_proxy\", \"sip:127.0.0.1:$kport\")"
  local secs accepted refused retrans unexpected cpu0 cpu
  cpu0=$(cpu_of "$kpid")
  read -r secs accepted refused retrans unexpected < <(run_load "$dir/load" "127.0.0.1:$kport" $((kport + 1)))
  cpu=$(elapsed "$cpu0" "$(cpu_of "$kpid")")
  local stored
  stored=$(sqlite3 "$dir/silo.db" 'SELECT count(*) FROM silo;')
  local krate kcpu kms
  krate=$(rate_of "$accepted" "$secs")
  kcpu=$(rate_of "$accepted" "$cpu")
  kms=$(per_1000 "$cpu" "$accepted")
  local locked
  locked=$(grep -c 'database is locked' "$dir/kamailio.log" || true)
  echo "   $accepted stored (202) in $secs s: $krate/s; $cpu s of CPU: $kcpu per CPU-second; refused $refused (503), rows $stored, 'database is locked' $locked times, retransmissions $retrans, aborted $unexpected" >&2
  local gen_us
  gen_us=$(load_us_per_stored "$dir/load" "$accepted")
  echo "   the load ($load) used $gen_us us of CPU per stored message" >&2
  load_costs+=("$gen_us µs against Kamailio with $workers worker$([ "$workers" = 1 ] || echo s)")
  # Delivery: msilo sends a user's messages when the user registers (m_dump).
  local delivered distinct dup dsecs
  read -r delivered distinct dup dsecs < <(deliver "$dir/inbox" "$accepted" "127.0.0.1:$kport")
  kill -TERM "$kpid"
  wait "$kpid" || true
  local kloss=$((accepted > distinct ? accepted - distinct : 0))
  local drate
  drate=$(rate_of "$delivered" "$dsecs")
  echo "   $delivered delivered ($distinct distinct, $dup duplicates) in $dsecs s: $drate/s; loss $kloss" >&2
  rows+=("| Kamailio $(kamailio_version) msilo, SQLite WAL | $workers | $accepted | $refused | $((messages - accepted - refused)) | $krate | $kcpu | $kms | $drate | $kloss |")
}

if kamailio_wanted; then
  echo "== Kamailio msilo, one worker" >&2
  kamailio_run 1 $((port + 10))
  echo "== Kamailio msilo, two workers" >&2
  kamailio_run 2 $((port + 20))
fi

if [ "$load" = native ]; then
  how="sip_load, $senders UDP sockets$([ "$ksenders" = "$senders" ] || echo " ($ksenders for Kamailio)"), at most $window in flight each, digest $([ "$auth" = reuse ] && echo "nonce reused (nonce-count rising)" || echo "challenge answered for each MESSAGE")"
else
  how="$senders sipp processes$([ "$ksenders" = "$senders" ] || echo " ($ksenders for Kamailio)"), UDP, at most $window in flight each"
fi
costs=$(printf '%s, ' "${load_costs[@]}")
print_table "Machine: $machine; $messages MESSAGEs ($how) to $users offline users; the load generator's CPU per stored message: ${costs%, }." \
  "| proxy | workers | 202 stored | 503 refused | other or no answer | stored/s | stored per CPU-s | CPU-s per 1000 stored | delivered/s | loss |"
