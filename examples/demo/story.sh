#!/bin/bash
# The store-and-forward story on loopback, step by step:
#   the proxy starts; Bob is offline; Alice sends him a text with a photo and
#   asks the network to store and forward it and to tell her (202); an instant
#   message that must not be stored is refused (480); Bob comes online and
#   gets the stored message, the photo byte for byte; Alice is told. Carol is
#   away and has her messages forwarded to e-mail: Alice's photo reaches her
#   mailbox through the operator's MTA (a Postfix instance on loopback).
#
#   examples/demo/story.sh [BUILD_DIR]     (default: build)
#
# Needs sipsaf-proxy and sipsaf-ua built in BUILD_DIR (see .ci/demo).
# SIPSAF_DEMO_PORT picks the proxy's port (default 15060, UDP and TCP);
# SIPSAF_DEMO_SMTP_PORT Postfix's (default 15025). Postfix starts as root
# (through sudo when not root).
# Exits non-zero as soon as a step does not go as told.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/examples/common/story.sh"
find_programs "${1:-build}" "$root"
port=${SIPSAF_DEMO_PORT:-15060}
smtp_port=${SIPSAF_DEMO_SMTP_PORT:-15025}
domain=example.test
photo=$here/photo.jpg

work=$(mktemp -d "${TMPDIR:-/tmp}/sipsaf-demo.XXXXXX")
chmod 755 "$work" # Postfix's daemons (user postfix) use their part of it
if [ "$(id -u)" -eq 0 ]; then as_root=""; else as_root="sudo"; fi
proxy_pid=''
alice_pid=''
postfix_up=''
cleanup() {
  for pid in $alice_pid $proxy_pid; do
    kill "$pid" 2> /dev/null || true
  done
  wait 2> /dev/null || true
  if [ -n "$postfix_up" ]; then
    $as_root postfix -c "$work/postfix/conf" stop > /dev/null 2>&1 || true
  fi
  $as_root rm -rf "$work"
}
trap cleanup EXIT

story_logs=("$work/proxy.log")
# What the proxy logged since the last look: one line per decision.
proxy_says() { log_news "$work/proxy.log" "The proxy's log:"; }
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
carol   caroline
EOF
cat > "$work/profiles" << 'EOF'
# Bob lets the network store messages for him: texts, pictures, and the two
# together (multipart/mixed).
[bob]
store-and-forward = yes
accepts = text/plain, image/*, multipart/mixed

# Carol is away: what reaches her goes to her mailbox.
[carol]
store-and-forward = email:carol@example.test
EOF
say "   Users (name, password):"
grep -v '^#' "$work/users" | indent
say "   Bob's and Carol's profiles:"
grep -v '^#' "$work/profiles" | indent
say "   sipsaf-proxy --domain $domain --users users --profiles profiles"
say "                --udp 127.0.0.1:$port --tcp 127.0.0.1:$port --store sqlite:store.db"
say "                --smtp smtp://127.0.0.1:$smtp_port"
"$proxy_bin" --domain "$domain" --users "$work/users" --profiles "$work/profiles" \
  --udp "127.0.0.1:$port" --tcp "127.0.0.1:$port" --store "sqlite:$work/store.db" \
  --smtp "smtp://127.0.0.1:$smtp_port" > "$work/proxy.log" 2>&1 &
proxy_pid=$!
wait_answers "$proxy_pid" "the proxy" "$port"
ok "the proxy is up on 127.0.0.1:$port (UDP and TCP), storing in SQLite"
proxy_says

# --- 2 ---------------------------------------------------------------------------
step "Bob is offline: his phone is off, nothing is registered for him."
ok "no binding for sip:bob@$domain"

# --- 3 ---------------------------------------------------------------------------
step "Alice sends Bob a text with a photo: store-and-forward-if-not-reached, notify."
say "   sipsaf-ua send --user alice --to bob --text '...' --attach photo.jpg \\"
say "                  --store=store-and-forward --notify --wait-imdn 30"
alice_sends_bob_the_photo
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
bob_takes_his_message
grep -q 'store-and-forward-if-not-reached' "$work/bob.out" ||
  fail "the stored message lost its Request-Disposition"
ok "Bob got the text and the photo; the instant message never came"
say "   The photo, as Alice sent it and as Bob saved it:"
same_bytes "$photo" "$work/inbox/photo.jpg" received || fail "the photo changed on the way"
ok "byte for byte the same"
proxy_says

# --- 6 ---------------------------------------------------------------------------
step "Alice is told that her message was delivered."
alice_is_told
ok "the delivery notification (IMDN, RFC 5438) reached Alice"
proxy_says

# --- 7 ---------------------------------------------------------------------------
step "Carol is away; the operator's MTA (Postfix) keeps mailboxes for $domain."
command -v postfix > /dev/null || fail "postfix is not installed (Debian: postfix; .ci/setup)"
pf=$work/postfix
mkdir -p "$pf/conf" "$pf/queue" "$pf/data" "$pf/mail"
$as_root chown postfix "$pf/data" "$pf/mail"
cat > "$pf/conf/main.cf" << END
compatibility_level = 3.6
queue_directory = $pf/queue
data_directory = $pf/data
meta_directory = /etc/postfix
maillog_file = /dev/stdout
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mail.$domain
mydestination = localhost
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
alias_maps =
virtual_mailbox_domains = $domain
virtual_mailbox_base = $pf/mail
virtual_mailbox_maps = texthash:$pf/conf/vmailbox
virtual_uid_maps = static:$(id -u postfix)
virtual_gid_maps = static:$(id -g postfix)
virtual_minimum_uid = 1
END
echo "carol@$domain carol/" > "$pf/conf/vmailbox"
# Debian's master.cf without chroot, SMTP on our port.
awk -v port="$smtp_port" '/^#/ || /^[ \t]/ || NF == 0 { print; next }
  $1 == "smtp" && $2 == "inet" { print "127.0.0.1:" port " inet n - n - - smtpd"; next }
  { if ($5 == "y") $5 = "n"; print }' /etc/postfix/master.cf > "$pf/conf/master.cf"
say "   postfix -c postfix/conf start   (SMTP on 127.0.0.1:$smtp_port, a Maildir for carol@$domain)"
$as_root postfix -c "$pf/conf" start > "$work/postfix.log" 2>&1 || fail "Postfix did not start"
postfix_up=yes
listening=no
for _ in $(seq 100); do
  if (exec 3<> "/dev/tcp/127.0.0.1/$smtp_port") 2> /dev/null; then
    listening=yes
    break
  fi
  sleep 0.1
done
[ "$listening" = yes ] || fail "Postfix does not listen on $smtp_port"
ok "Postfix listens on 127.0.0.1:$smtp_port; Carol's profile says email:carol@$domain"

# --- 8 ---------------------------------------------------------------------------
step "Alice sends Carol the photo; the proxy hands it to the MTA as an e-mail."
say "   sipsaf-ua send --user alice --to carol --text '...' --attach photo.jpg \\"
say "                  --store=store-and-forward --notify --wait-imdn 30"
set +e
ua send --user alice --password wonderland --to carol \
  --text "Carol, the view from the hill, for when you are back." --attach "$photo" \
  --store=store-and-forward --notify --wait-imdn 30 > "$work/alice2.out" 2>&1
rc=$?
set -e
indent < "$work/alice2.out"
grep -q -- '<- 202' "$work/alice2.out" || fail "expected 202 Accepted: the message forwarded"
if [ "$rc" -ne 0 ] || ! grep -q 'processed' "$work/alice2.out"; then
  fail "Alice was not told that the gateway took it (exit $rc)"
fi
ok "202 Accepted, then 'processed': the MTA took the mail (an RFC 5438 processing notification)"
proxy_says

# --- 9 ---------------------------------------------------------------------------
step "Carol's mailbox: the mail's headers, and the photo in it."
mail=''
for _ in $(seq 100); do
  # Postfix delivers on its own time: until it has, the Maildir is not there.
  mail=$($as_root find "$pf/mail/carol/new" -type f 2> /dev/null | head -n 1 || true)
  [ -n "$mail" ] && break
  sleep 0.1
done
[ -n "$mail" ] || fail "no mail in Carol's Maildir"
$as_root cat "$mail" > "$work/carol.eml"
python3 - "$work/carol.eml" "$work/carol-photo.jpg" << 'END' | indent
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
for h in ("From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Auto-Submitted"):
    print(f"{h}: {m[h]}")
print(f"Content-Type: {m.get_content_type()}")
for p in m.walk():
    if p.get_content_maintype() == "multipart":
        continue
    name = p.get_filename()
    print(f"  part {p.get_content_type()}" + (f", {name}" if name else ""))
    if p.get_content_type() == "image/jpeg":
        open(sys.argv[2], "wb").write(p.get_payload(decode=True))
END
[ -f "$work/carol-photo.jpg" ] || fail "the mail has no JPEG attachment"
say "   The photo, as Alice sent it and as Carol's mail carries it:"
same_bytes "$photo" "$work/carol-photo.jpg" "in the mail" || fail "the photo changed on the way to the mailbox"
ok "byte for byte the same, delivered to carol@$domain by Postfix"

# --- the end ---------------------------------------------------------------------
stop_cleanly "$proxy_pid" "the proxy"
proxy_pid=''
printf '\n%sThe end.%s The proxy stopped cleanly. Every step went as told.\n' "$bold" "$off"
