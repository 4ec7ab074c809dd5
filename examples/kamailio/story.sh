#!/bin/bash
# The store-and-forward story with two servers, as the patent draws it:
# Kamailio is the registrar (server 2), sipsaf-proxy the store-and-forward
# server beside it (server 4), told by SIP (RFC 3680 reg events) when a
# recipient is back.
#   Kamailio and sipsaf start; Bob is offline; Alice sends him a text with a
#   photo through Kamailio, which hands it to sipsaf (202, stored); sipsaf
#   subscribes to Bob's registration; Bob's phone registers at Kamailio, which
#   tells sipsaf; sipsaf delivers through Kamailio, byte for byte; Alice is
#   told; sipsaf ends the subscription.
#
#   examples/kamailio/story.sh [BUILD_DIR]     (default: build)
#
# Needs Debian's kamailio, kamailio-presence-modules and kamailio-sqlite-modules,
# python3, and sipsaf-proxy and sipsaf-ua built in BUILD_DIR (see .ci/demo).
# SIPSAF_KAMAILIO_DEMO_PORT picks Kamailio's UDP port (default 15070; sipsaf
# takes the next one). Exits non-zero as soon as a step does not go as told.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
proxy_bin=$build/examples/proxy/sipsaf-proxy
ua_bin=$build/examples/ua/sipsaf-ua
kam_port=${SIPSAF_KAMAILIO_DEMO_PORT:-15070}
saf_port=$((kam_port + 1))
domain=example.test
photo=$root/examples/demo/photo.jpg

for b in "$proxy_bin" "$ua_bin"; do
  if [ ! -x "$b" ]; then
    echo "story.sh: $b is not built; build sipsaf-proxy and sipsaf-ua" >&2
    exit 2
  fi
done
kamailio_bin=$(command -v kamailio || echo /usr/sbin/kamailio)
modules=$(dirname "$(ls /usr/lib/*/kamailio/modules/presence_reginfo.so 2> /dev/null | head -n 1)")/
if [ ! -x "$kamailio_bin" ] || [ "$modules" = "./" ]; then
  echo "story.sh: Kamailio with its presence modules is not installed" \
    "(Debian: kamailio kamailio-presence-modules kamailio-sqlite-modules)" >&2
  exit 2
fi

if [ -t 1 ]; then
  bold=$(printf '\033[1m') green=$(printf '\033[32m') red=$(printf '\033[31m') off=$(printf '\033[0m')
else
  bold='' green='' red='' off=''
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/sipsaf-kamailio.XXXXXX")
kam_pid=''
proxy_pid=''
alice_pid=''
cleanup() {
  for pid in $alice_pid $proxy_pid; do
    kill "$pid" 2> /dev/null || true
  done
  # Kamailio runs in a process group of its own (its workers with it).
  [ -n "$kam_pid" ] && kill -TERM -- "-$kam_pid" 2> /dev/null || true
  wait 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

step=0
say() { printf '%s\n' "$*"; }
step() {
  step=$((step + 1))
  printf '\n%s%d. %s%s\n' "$bold" "$step" "$1" "$off"
}
ok() { printf '   %s✔ %s%s\n' "$green" "$*" "$off"; }
fail() {
  printf '\n   %s✘ %s%s\n' "$red" "$*" "$off" >&2
  for f in proxy kamailio; do
    if [ -s "$work/$f.log" ]; then
      printf '\n   %s, last words:\n' "$f" >&2
      tail -n 15 "$work/$f.log" | sed 's/^/     /' >&2
    fi
  done
  exit 1
}
indent() { sed 's/^/     /'; }
log_seen=0
sipsaf_says() {
  local total
  total=$(wc -l < "$work/proxy.log")
  if [ "$total" -gt "$log_seen" ]; then
    say "   sipsaf's log:"
    tail -n "+$((log_seen + 1))" "$work/proxy.log" | head -n "$((total - log_seen))" |
      sed -E 's/^[0-9-]+T([0-9:.]+)Z /\1 /' | cut -c1-150 | indent
  fi
  log_seen=$total
}
wait_for() {
  local file=$1 pattern=$2 seconds=$3 i=0
  while [ "$i" -lt $((seconds * 10)) ]; do
    grep -q -- "$pattern" "$file" 2> /dev/null && return 0
    sleep 0.1
    i=$((i + 1))
  done
  return 1
}
ua() { "$ua_bin" "$@" --proxy "127.0.0.1:$kam_port" --domain "$domain"; }

say "${bold}sipsaf beside Kamailio: two servers, told of each other by SIP${off}"
say "Kamailio keeps the registrations. What it cannot deliver it hands to sipsaf,"
say "which keeps it, asks Kamailio to say when the recipient registers, and then"
say "delivers it through Kamailio."

# --- 1 ---------------------------------------------------------------------------
step "Kamailio starts as the registrar of $domain (examples/kamailio/kamailio.cfg)."
python3 - "$work/kamailio.db" "$domain" << 'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for t in ("standard", "auth_db", "presence"):
    db.executescript(open(f"/usr/share/kamailio/db_sqlite/{t}-create.sql").read())
db.executemany("INSERT INTO subscriber(username, domain, password, ha1, ha1b) VALUES (?, ?, ?, '', '')",
               [("alice", sys.argv[2], "wonderland"), ("bob", sys.argv[2], "builder")])
db.commit()
PY
sed -e "s|^#!substdef \"!KAM_PORT!.*|#!substdef \"!KAM_PORT!$kam_port!g\"|" \
  -e "s|^#!substdef \"!SIPSAF_PORT!.*|#!substdef \"!SIPSAF_PORT!$saf_port!g\"|" \
  -e "s|^#!substdef \"!DB_URL!.*|#!substdef \"!DB_URL!sqlite:///$work/kamailio.db!g\"|" \
  -e "s|^#!substdef \"!MODULE_PATH!.*|#!substdef \"!MODULE_PATH!$modules!g\"|" \
  "$here/kamailio.cfg" > "$work/kamailio.cfg"
say "   users alice and bob in SQLite (subscriber table); the defines at the top of"
say "   kamailio.cfg set to UDP 127.0.0.1:$kam_port, sipsaf at 127.0.0.1:$saf_port"
setsid "$kamailio_bin" -f "$work/kamailio.cfg" -DD -E -Y "$work" -w "$work" -m 64 -M 8 \
  > "$work/kamailio.log" 2>&1 &
kam_pid=$!
ready=no
for _ in $(seq 50); do
  kill -0 "$kam_pid" 2> /dev/null || fail "Kamailio did not start"
  if ua ping --timeout 0.2 --quiet > /dev/null 2>&1; then
    ready=yes
    break
  fi
done
[ "$ready" = yes ] || fail "Kamailio does not answer on port $kam_port"
ok "Kamailio is up on 127.0.0.1:$kam_port"

# --- 2 ---------------------------------------------------------------------------
step "sipsaf starts beside it: --reg-event sip:127.0.0.1:$kam_port"
printf 'alice wonderland\nbob builder\n' > "$work/users"
cat > "$work/profiles" << 'EOF2'
[bob]
store-and-forward = yes
accepts = text/plain, image/*, multipart/mixed
EOF2
say "   sipsaf-proxy --domain $domain --users users --profiles profiles --udp 127.0.0.1:$saf_port \\"
say "                --store sqlite:store.db --reg-event sip:127.0.0.1:$kam_port"
trusted=()
if "$proxy_bin" --help 2>&1 | grep -q -- --trusted; then
  trusted=(--trusted 127.0.0.1)
fi
"$proxy_bin" --domain "$domain" --users "$work/users" --profiles "$work/profiles" \
  --udp "127.0.0.1:$saf_port" --tcp none --store "sqlite:$work/store.db" \
  --reg-event "sip:127.0.0.1:$kam_port" "${trusted[@]}" > "$work/proxy.log" 2>&1 &
proxy_pid=$!
wait_for "$work/proxy.log" 'reachability of recipients' 10 || fail "sipsaf did not start"
ok "sipsaf is up on 127.0.0.1:$saf_port; it is not the registrar"
sipsaf_says

# --- 3 ---------------------------------------------------------------------------
step "Bob is offline: Kamailio has no contact for him."
ok "no binding for sip:bob@$domain at Kamailio"

# --- 4 ---------------------------------------------------------------------------
step "Alice sends Bob a text with a photo, through Kamailio: store-and-forward, notify."
say "   sipsaf-ua send --proxy 127.0.0.1:$kam_port --user alice --to bob --attach photo.jpg ..."
ua send --user alice --password wonderland --to bob \
  --text "Hi Bob, here is the view from the top of the hill." --attach "$photo" \
  --store=store-and-forward --notify --wait-imdn 30 > "$work/alice.out" 2>&1 &
alice_pid=$!
wait_for "$work/alice.out" '<- [2-6][0-9][0-9] [A-Z]' 15 || fail "Alice got no answer"
wait_for "$work/alice.out" '<- 202\|<- [3-6][0-9][0-9] [^P]' 15 || true
sleep 0.3
indent < "$work/alice.out"
alice_seen=$(wc -l < "$work/alice.out")
grep -q -- '<- 202' "$work/alice.out" || fail "expected 202 Accepted: the message stored by sipsaf"
ok "Kamailio found no contact and handed the message to sipsaf, which stored it: 202"
wait_for "$work/proxy.log" 'subscribed for sip:bob@' 10 || fail "sipsaf did not subscribe"
ok "sipsaf subscribed to Bob's registration state at Kamailio (Event: reg)"
sipsaf_says

# --- 5 ---------------------------------------------------------------------------
step "Bob's phone registers at Kamailio; Kamailio tells sipsaf; sipsaf delivers."
set +e
ua listen --user bob --password builder --save-dir "$work/inbox" --count 1 --timeout 30 \
  > "$work/bob.out" 2>&1
rc=$?
set -e
indent < "$work/bob.out"
[ "$rc" -eq 0 ] || fail "Bob did not receive the stored message (exit $rc)"
grep -q 'text: Hi Bob, here is the view' "$work/bob.out" || fail "Bob did not get the text"
[ -f "$work/inbox/photo.jpg" ] || fail "Bob's phone did not save photo.jpg"
sent=$(sha256sum < "$photo" | cut -d' ' -f1)
got=$(sha256sum < "$work/inbox/photo.jpg" | cut -d' ' -f1)
say "     sha256 $sent  sent"
say "     sha256 $got  received"
[ "$sent" = "$got" ] || fail "the photo changed on the way"
ok "Bob got the text and the photo, byte for byte, through Kamailio"
sipsaf_says

# --- 6 ---------------------------------------------------------------------------
step "Alice is told, through Kamailio, that her message was delivered."
set +e
wait "$alice_pid"
rc=$?
set -e
alice_pid=''
tail -n "+$((alice_seen + 1))" "$work/alice.out" | indent
if [ "$rc" -ne 0 ] || ! grep -q 'delivered' "$work/alice.out"; then
  fail "Alice did not get the delivery notification (exit $rc)"
fi
ok "the delivery notification (IMDN) reached Alice"
wait_for "$work/proxy.log" 'nothing stored for sip:bob@' 10 || fail "sipsaf kept the subscription"
ok "nothing is stored for Bob any more: sipsaf ended its subscription (Expires: 0)"
sipsaf_says

# --- the end ---------------------------------------------------------------------
kill -TERM "$proxy_pid"
set +e
wait "$proxy_pid"
rc=$?
set -e
proxy_pid=''
[ "$rc" -eq 0 ] || fail "sipsaf did not shut down cleanly (exit $rc)"
printf '\n%sThe end.%s Two servers, one story. Every step went as told.\n' "$bold" "$off"
