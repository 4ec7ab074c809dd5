# shellcheck shell=bash
# How the stories on loopback (examples/demo/story.sh,
# examples/kamailio/story.sh) tell their steps: numbered steps, a check mark
# or a cross, what a server logged since the last look. Sourced, not run.
# The story sets work (its scratch folder) and lists in story_logs the logs
# to show when a step fails.

# Sets proxy_bin and ua_bin from BUILD_DIR (relative to the checkout ROOT);
# exits 2 unless both are built.
find_programs() {
  local build=$1 root=$2 b
  case $build in /*) ;; *) build=$root/$build ;; esac
  proxy_bin=$build/examples/proxy/sipsaf-proxy
  ua_bin=$build/examples/ua/sipsaf-ua
  for b in "$proxy_bin" "$ua_bin"; do
    if [ ! -x "$b" ]; then
      echo "story.sh: $b is not built; run .ci/demo (or build sipsaf-proxy and sipsaf-ua)" >&2
      exit 2
    fi
  done
}

if [ -t 1 ]; then
  bold=$(printf '\033[1m') green=$(printf '\033[32m') red=$(printf '\033[31m') off=$(printf '\033[0m')
else
  bold='' green='' red='' off=''
fi

story_logs=()
step=0
say() { printf '%s\n' "$*"; }
step() {
  step=$((step + 1))
  printf '\n%s%d. %s%s\n' "$bold" "$step" "$1" "$off"
}
ok() { printf '   %s✔ %s%s\n' "$green" "$*" "$off"; }
fail() {
  local log
  printf '\n   %s✘ %s%s\n' "$red" "$*" "$off" >&2
  for log in "${story_logs[@]}"; do
    if [ -s "$log" ]; then
      printf '\n   %s, last words:\n' "${log##*/}" >&2
      tail -n 20 "$log" | sed 's/^/     /' >&2
    fi
  done
  exit 1
}
indent() { sed 's/^/     /'; }

# What LOG gained since the last call, under TITLE: time of day, level, text;
# long lines folded at spaces. (One log is followed: the server the story is
# about.)
log_seen=0
log_news() {
  local log=$1 title=$2 total
  total=$(wc -l < "$log")
  if [ "$total" -gt "$log_seen" ]; then
    say "   $title"
    tail -n "+$((log_seen + 1))" "$log" | head -n "$((total - log_seen))" |
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

# Waits until the server PID (NAME, on PORT) answers an OPTIONS the story's
# ua sends (ua ping); fails the story if it dies first or stays silent.
wait_answers() {
  local pid=$1 name=$2 port=$3 _
  for _ in $(seq 50); do
    kill -0 "$pid" 2> /dev/null || fail "$name did not start"
    ua ping --timeout 0.2 --quiet > /dev/null 2>&1 && return 0
  done
  fail "$name does not answer on port $port"
}

# Prints the SHA-256 and size of SENT and of GOT (called LABEL) and
# succeeds when they are the same bytes.
same_bytes() {
  local sent=$1 got=$2 label=$3 a b
  a=$(sha256sum < "$sent" | cut -d' ' -f1)
  b=$(sha256sum < "$got" | cut -d' ' -f1)
  printf '     sha256 %s  %-12s(%s bytes)\n' "$a" sent "$(wc -c < "$sent")" "$b" "$label" "$(wc -c < "$got")"
  [ "$a" = "$b" ]
}

# Stops the server PID with SIGTERM and fails the story unless NAME exits 0.
stop_cleanly() {
  local pid=$1 name=$2 rc=0
  kill -TERM "$pid"
  wait "$pid" || rc=$?
  [ "$rc" -eq 0 ] || fail "$name did not shut down cleanly (exit $rc)"
}

# The plot both stories share. Alice (the story's ua, $photo) sends Bob a
# text with the photo, store-and-forward, asking to be told; in the
# background (alice_pid), what she sees in $work/alice.out.
alice_sends_bob_the_photo() {
  ua send --user alice --password wonderland --to bob \
    --text "Hi Bob, here is the view from the top of the hill." --attach "$photo" \
    --store=store-and-forward --notify --wait-imdn 30 > "$work/alice.out" 2>&1 &
  alice_pid=$!
}

# Bob's phone registers and takes one message, saved in $work/inbox; fails
# the story unless it is Alice's text with the photo.
bob_takes_his_message() {
  local rc=0
  ua listen --user bob --password builder --save-dir "$work/inbox" --count 1 --timeout 30 \
    > "$work/bob.out" 2>&1 || rc=$?
  indent < "$work/bob.out"
  [ "$rc" -eq 0 ] || fail "Bob did not receive the stored message (exit $rc)"
  grep -q 'text: Hi Bob, here is the view' "$work/bob.out" || fail "Bob did not get the text"
  [ -f "$work/inbox/photo.jpg" ] || fail "Bob's phone did not save photo.jpg"
}

# Waits for Alice's send to end and shows what she saw after line
# alice_seen of $work/alice.out; fails the story unless she was told that
# her message was delivered.
alice_is_told() {
  local rc=0
  wait "$alice_pid" || rc=$?
  alice_pid=''
  tail -n "+$((alice_seen + 1))" "$work/alice.out" | indent
  if [ "$rc" -ne 0 ] || ! grep -q 'delivered' "$work/alice.out"; then
    fail "Alice did not get the delivery notification (exit $rc)"
  fi
}
