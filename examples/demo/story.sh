#!/bin/bash
# The store-and-forward story on loopback, step by step:
#   the proxy starts; Bob is offline; Alice sends him a text with a photo and
#   asks the network to store and forward it and to tell her (202); an instant
#   message that must not be stored is refused (480); Bob comes online and
#   gets the stored message, the photo byte for byte; Alice is told.
#
#   examples/demo/story.sh [BUILD_DIR]     (default: build)
#
# Needs sipsaf-proxy and sipsaf-ua built in BUILD_DIR (see .ci/demo).
# SIPSAF_DEMO_PORT picks the proxy's port (default 15060, UDP and TCP).
# Exits non-zero as soon as a step does not go as told.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$root/$build ;; esac
proxy_bin=$build/examples/proxy/sipsaf-proxy
ua_bin=$build/examples/ua/sipsaf-ua
port=${SIPSAF_DEMO_PORT:-15060}
domain=example.test
photo=$here/photo.jpg

for b in "$proxy_bin" "$ua_bin"; do
  if [ ! -x "$b" ]; then
    echo "story.sh: $b is not built; run .ci/demo (or build sipsaf-proxy and sipsaf-ua)" >&2
    exit 2
  fi
done

if [ -t 1 ]; then
  bold=$(printf '\033[1m') green=$(printf '\033[32m') red=$(printf '\033[31m') off=$(printf '\033[0m')
else
  bold='' green='' red='' off=''
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/sipsaf-demo.XXXXXX")
proxy_pid=''
alice_pid=''
cleanup() {
  for pid in $alice_pid $proxy_pid; do
    kill "$pid" 2> /dev/null || true
  done
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
  if [ -s "$work/proxy.log" ]; then
    printf '\n   The proxy'"'"'s last words:\n' >&2
    tail -n 20 "$work/proxy.log" | sed 's/^/     /' >&2
  fi
  exit 1
}
indent() { sed 's/^/     /'; }
# What the proxy logged since the last call: one line per decision.
log_seen=0
proxy_says() {
  local total
  total=$(wc -l < "$work/proxy.log")
  if [ "$total" -gt "$log_seen" ]; then
    say "   The proxy's log:"
    # Time of day, level, text; long lines folded at spaces.
    tail -n "+$((log_seen + 1))" "$work/proxy.log" | head -n "$((total - log_seen))" |
      awk '{
        sub(/^[0-9-]+T/, ""); sub(/Z /, " ")
        line = $0; pad = ""
        while (length(line) + length(pad) > 96) {
          cut = 96 - length(pad)
          while (cut > 40 && substr(line, cut, 1) != " ") cut--
          print pad substr(line, 1, cut)
          line = substr(line, cut + 1); pad = "               "
        }
        print pad line
      }' | indent
  fi
  log_seen=$total
}
# Waits until FILE contains PATTERN, for at most SECONDS.
wait_for() {
  local file=$1 pattern=$2 seconds=$3 i=0
  while [ "$i" -lt $((seconds * 10)) ]; do
    grep -q -- "$pattern" "$file" 2> /dev/null && return 0
    sleep 0.1
    i=$((i + 1))
  done
  return 1
}
ua() { "$ua_bin" "$@" --proxy "127.0.0.1:$port" --domain "$domain"; }

say "${bold}sipsaf: store and forward on loopback${off}"
say "Alice wants to send Bob a photo while his phone is off. She marks her"
say "message 'store-and-forward-if-not-reached, notify': if Bob cannot be"
say "reached, the network keeps it, hands it to him when he is back, and"
say "tells her. An instant message, marked 'do-not-store', is dropped instead."

# --- 1 ---------------------------------------------------------------------------
step "The proxy starts: registrar, proxy and store for the domain $domain."
cat > "$work/users" << 'EOF'
# name  password
alice   wonderland
bob     builder
EOF
cat > "$work/profiles" << 'EOF'
# Bob lets the network store messages for him: texts, pictures, and the two
# together (multipart/mixed).
[bob]
store-and-forward = yes
accepts = text/plain, image/*, multipart/mixed
EOF
say "   Users (name, password):"
grep -v '^#' "$work/users" | indent
say "   Bob's profile:"
grep -v '^#' "$work/profiles" | indent
say "   sipsaf-proxy --domain $domain --users users --profiles profiles"
say "                --udp 127.0.0.1:$port --tcp 127.0.0.1:$port --store sqlite:store.db"
"$proxy_bin" --domain "$domain" --users "$work/users" --profiles "$work/profiles" \
  --udp "127.0.0.1:$port" --tcp "127.0.0.1:$port" --store "sqlite:$work/store.db" \
  > "$work/proxy.log" 2>&1 &
proxy_pid=$!
# Ready when it answers an OPTIONS.
ready=no
for _ in $(seq 50); do
  kill -0 "$proxy_pid" 2> /dev/null || fail "the proxy did not start"
  if ua ping --timeout 0.2 --quiet > /dev/null 2>&1; then
    ready=yes
    break
  fi
done
[ "$ready" = yes ] || fail "the proxy does not answer on port $port"
ok "the proxy is up on 127.0.0.1:$port (UDP and TCP), storing in SQLite"
proxy_says

# --- 2 ---------------------------------------------------------------------------
step "Bob is offline: his phone is off, nothing is registered for him."
ok "no binding for sip:bob@$domain"

# --- 3 ---------------------------------------------------------------------------
step "Alice sends Bob a text with a photo: store-and-forward-if-not-reached, notify."
say "   sipsaf-ua send --user alice --to bob --text '...' --attach photo.jpg \\"
say "                  --store=store-and-forward --notify --wait-imdn 30"
ua send --user alice --password wonderland --to bob \
  --text "Hi Bob, here is the view from the top of the hill." --attach "$photo" \
  --store=store-and-forward --notify --wait-imdn 30 > "$work/alice.out" 2>&1 &
alice_pid=$!
wait_for "$work/alice.out" '<- [2-6][0-9][0-9]' 15 || fail "Alice got no answer"
sleep 0.2
indent < "$work/alice.out"
alice_seen=$(wc -l < "$work/alice.out")
grep -q -- '<- 202' "$work/alice.out" || fail "expected 202 Accepted: the message stored"
ok "202 Accepted: Bob is not reachable, so the network stored the message"
say "   Alice's phone now waits for the delivery notification."
proxy_says

# --- 4 ---------------------------------------------------------------------------
step "Alice sends an instant message, do-not-store: it must not wait for Bob."
say "   sipsaf-ua send --user alice --to bob --text 'Call me now?' --store=do-not-store"
set +e
ua send --user alice --password wonderland --to bob --text "Call me now?" \
  --store=do-not-store > "$work/instant.out" 2>&1
rc=$?
set -e
indent < "$work/instant.out"
if [ "$rc" -ne 1 ] || ! grep -q -- '<- 480' "$work/instant.out"; then
  fail "expected 480 Temporarily Unavailable (exit 1), got exit $rc"
fi
ok "480 Temporarily Unavailable: the instant message was dropped, not stored"
proxy_says

# --- 5 ---------------------------------------------------------------------------
step "Bob's phone comes back: it registers, and the stored message is delivered."
say "   sipsaf-ua listen --user bob --save-dir inbox --count 1"
set +e
ua listen --user bob --password builder --save-dir "$work/inbox" --count 1 --timeout 30 \
  > "$work/bob.out" 2>&1
rc=$?
set -e
indent < "$work/bob.out"
[ "$rc" -eq 0 ] || fail "Bob did not receive the stored message (exit $rc)"
grep -q 'text: Hi Bob, here is the view' "$work/bob.out" || fail "Bob did not get the text"
grep -q 'store-and-forward-if-not-reached' "$work/bob.out" ||
  fail "the stored message lost its Request-Disposition"
[ -f "$work/inbox/photo.jpg" ] || fail "Bob's phone did not save photo.jpg"
ok "Bob got the text and the photo; the instant message never came"
say "   The photo, as Alice sent it and as Bob saved it:"
sent=$(sha256sum < "$photo" | cut -d' ' -f1)
got=$(sha256sum < "$work/inbox/photo.jpg" | cut -d' ' -f1)
say "     sha256 $sent  sent      ($(wc -c < "$photo") bytes)"
say "     sha256 $got  received  ($(wc -c < "$work/inbox/photo.jpg") bytes)"
[ "$sent" = "$got" ] || fail "the photo changed on the way"
ok "byte for byte the same"
proxy_says

# --- 6 ---------------------------------------------------------------------------
step "Alice is told that her message was delivered."
set +e
wait "$alice_pid"
rc=$?
set -e
alice_pid=''
tail -n "+$((alice_seen + 1))" "$work/alice.out" | indent
if [ "$rc" -ne 0 ] || ! grep -q 'delivered' "$work/alice.out"; then
  fail "Alice did not get the delivery notification (exit $rc)"
fi
ok "the delivery notification (IMDN, RFC 5438) reached Alice"
proxy_says

# --- the end ---------------------------------------------------------------------
kill -TERM "$proxy_pid"
set +e
wait "$proxy_pid"
rc=$?
set -e
proxy_pid=''
[ "$rc" -eq 0 ] || fail "the proxy did not shut down cleanly (exit $rc)"
printf '\n%sThe end.%s The proxy stopped cleanly. Every step went as told.\n' "$bold" "$off"
