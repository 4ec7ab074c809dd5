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
. "$root/examples/common/story.sh"
find_programs "${1:-build}" "$root"
kam_port=${SIPSAF_KAMAILIO_DEMO_PORT:-15070}
saf_port=$((kam_port + 1))
domain=example.test
photo=$root/examples/demo/photo.jpg

kamailio_bin=$(command -v kamailio || echo /usr/sbin/kamailio)
modules=$(dirname "$(ls /usr/lib/*/kamailio/modules/presence_reginfo.so 2> /dev/null | head -n 1)")/
if [ ! -x "$kamailio_bin" ] || [ "$modules" = "./" ]; then
  echo "story.sh: Kamailio with its presence modules is not installed" \
    "(Debian: kamailio kamailio-presence-modules kamailio-sqlite-modules)" >&2
  exit 2
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

story_logs=("$work/proxy.log" "$work/kamailio.log")
sipsaf_says() { log_news "$work/proxy.log" "sipsaf's log:"; }
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
wait_answers "$kam_pid" Kamailio "$kam_port"
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
alice_sends_bob_the_photo
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
bob_takes_his_message
same_bytes "$photo" "$work/inbox/photo.jpg" received || fail "the photo changed on the way"
ok "Bob got the text and the photo, byte for byte, through Kamailio"
sipsaf_says

# --- 6 ---------------------------------------------------------------------------
step "Alice is told, through Kamailio, that her message was delivered."
alice_is_told
ok "the delivery notification (IMDN) reached Alice"
wait_for "$work/proxy.log" 'nothing stored for sip:bob@' 10 || fail "sipsaf kept the subscription"
ok "nothing is stored for Bob any more: sipsaf ended its subscription (Expires: 0)"
sipsaf_says

# --- the end ---------------------------------------------------------------------
stop_cleanly "$proxy_pid" sipsaf
proxy_pid=''
printf '\n%sThe end.%s Two servers, one story. Every step went as told.\n' "$bold" "$off"
