# shellcheck shell=bash disable=SC2154  # ua_bin, users, window, rate: set by the caller
# Shared parts of the load benchmarks (proxy_load.sh, cluster_load.sh): the
# scratch folder, the sipp store scenario and its counting, delivery to
# registering users, and the Kamailio msilo setup compared against.
# Sourced, not run. The caller sets: ua_bin, users, window, rate.

now() { date +%s.%N; }
rate_of() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
# CPU seconds ($1) per 1000 of $2.
per_1000() { awk -v c="$1" -v n="$2" 'BEGIN { printf "%.3f", (n > 0 ? 1000 * c / n : 0) }'; }

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

# Exits 2 with a reason unless every program named is built.
require_built() {
  local b
  for b in "$@"; do
    [ -x "$b" ] || {
      echo "${0##*/}: $b is not built" >&2
      exit 2
    }
  done
}

# The scratch folder ($work, named for PREFIX) and what is started in it
# (pids: killed on exit); cleanup_hooks run before the folder goes.
# KEEP=1 keeps it.
pids=()
cleanup_hooks=()
make_scratch() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
  trap cleanup EXIT
}
cleanup() {
  local pid hook
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  wait 2> /dev/null || true
  for hook in "${cleanup_hooks[@]}"; do "$hook"; done
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}

# "N cores, CPU model, file system at DIR"
machine_of() {
  echo "$(nproc) cores, $(awk -F: '/model name/ { sub(/^ /, "", $2); print $2; exit }' /proc/cpuinfo), $(df -T "$1" | awk 'NR == 2 { print $2 }') at $1"
}

# One MESSAGE of the store scenario, CSeq $1, with header line $2 if given.
store_request() {
  cat << EOF
  <send retrans="500">
    <![CDATA[
MESSAGE sip:[field0]@example.test SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
Max-Forwards: 70
From: <sip:alice@example.test>;tag=[pid]-[call_number]
To: <sip:[field0]@example.test>
Call-ID: [call_id]
CSeq: $1 MESSAGE
${2:+$2
}Request-Disposition: store-and-forward-if-not-reached
Content-Type: text/plain
Content-Length: [len]

load message [call_id] for [field0]
    ]]>
  </send>
EOF
}

# In $work: the users (alice the sender, offline recipients u0..u(USERS-1)),
# the recipients for sipp, profiles without quotas (the run measures
# storing, not refusing), and store.xml: one MESSAGE per sipp call, a digest
# challenge answered (-au/-ap); a 202 ends the call well, a 503 (or anything
# else) as failed.
write_load_files() {
  local i
  {
    echo "alice wonderland"
    for i in $(seq 0 $((users - 1))); do echo "u$i pw-u$i"; done
  } > "$work/users"
  {
    echo SEQUENTIAL
    for i in $(seq 0 $((users - 1))); do echo "u$i;"; done
  } > "$work/recipients.csv"
  printf '[default]\nquota-messages = 100000000\nquota-bytes = 100000000000\n' > "$work/profiles"
  {
    cat << 'EOF'
<?xml version="1.0" encoding="UTF-8" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="store">
EOF
    store_request 1
    cat << 'EOF'
  <recv response="100" optional="true"/>
  <recv response="407" optional="true" auth="true" next="auth"/>
  <recv response="401" optional="true" auth="true" next="auth"/>
  <recv response="503" optional="true" next="refused"/>
  <recv response="202" next="done"/>
  <label id="auth"/>
EOF
    store_request 2 '[authentication]'
    cat << 'EOF'
  <recv response="100" optional="true"/>
  <!-- a challenge to a retransmission of the first request that crossed
       the first challenge (each is answered with a fresh nonce) -->
  <recv response="407" optional="true"/>
  <recv response="503" optional="true" next="refused"/>
  <recv response="202" next="done"/>
  <label id="refused"/>
  <nop><action><exec int_cmd="stop_call"/></action></nop>
  <label id="done"/>
</scenario>
EOF
  } > "$work/store.xml"
}

# Sends TOTAL messages of the store scenario with one sipp process per
# TARGET (HOST:PORT; name one several times for several senders), all at
# once, each from its own local port (LPORT, LPORT+1, ...) with its share,
# so that the load is not one sipp's ceiling; sipp's files go to DIR/<i>.
# Prints "seconds accepted refused retransmissions unexpected" summed over
# them (seconds: from the first start to the last end; unexpected: calls
# aborted on another answer or on a timeout, from sipp's error logs); their
# CPU seconds go to DIR/load.cpu.
#   run_sipps DIR LPORT TOTAL TARGET...
run_sipps() {
  local dir=$1 lport=$2 total=$3
  shift 3
  local n=$# i=0 share target t0 t1 spids=()
  t0=$(now)
  for target in "$@"; do
    share=$((total / n + (i < total % n ? 1 : 0)))
    mkdir -p "$dir/$i"
    (cd "$dir/$i" && sipp "$target" -sf "$work/store.xml" -inf "$work/recipients.csv" \
      -m "$share" -r "$rate" -l "$window" -i 127.0.0.1 -p $((lport + i)) -nostdin \
      -au alice -ap wonderland -trace_counts -trace_err -timeout 600 > /dev/null 2>&1) &
    spids+=($!)
    i=$((i + 1))
  done
  wait "${spids[@]}" || true
  t1=$(now)
  children_cpu "$dir/load.cpu"
  local unexpected
  unexpected=$(cat "$dir"/*/store_*_errors.log 2> /dev/null | grep -c -E 'Aborting call' || true)
  # The last row of each sender; columns named e.g. 5_202_Recv, 4_503_Recv,
  # 0_MESSAGE_Retrans.
  for f in "$dir"/*/store_*_counts.csv; do
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
      }' "$f"
  done | awk -v secs="$(elapsed "$t0" "$t1")" -v unexpected="$unexpected" '
    { ok += $1; refused += $2; retrans += $3 }
    END { printf "%s %d %d %d %d\n", secs, ok, refused, retrans, unexpected }'
}

# Writes to FILE the CPU seconds (user + system) of the children this shell
# has waited for: bash's `times`, run in this shell (in a pipe or $(...) it
# would count a fresh subshell's), second line, e.g. "0m1.250s 0m0.310s".
#   children_cpu FILE
children_cpu() {
  times > "$1.times"
  awk 'NR == 2 {
    for (i = 1; i <= 2; i++) { split($i, p, "m"); sub(/s$/, "", p[2]); t += 60 * p[1] + p[2] }
    printf "%.3f\n", t
  }' "$1.times" > "$1"
  rm -f "$1.times"
}

# The same store scenario from sip_load (benchmarks/sip_load.cpp): one
# process sending TOTAL MESSAGEs to TARGET from SENDERS sockets (local ports
# LPORT, LPORT+1, ...), at most WINDOW in flight on each, with digest
# answered for each MESSAGE (AUTH=each) or the nonce reused (AUTH=reuse).
# Prints what run_sipps prints; its CPU seconds go to DIR/load.cpu as there,
# its own report to DIR/sip_load.err. The caller sets load_bin and auth.
#   run_native DIR LPORT TOTAL TARGET
run_native() {
  local dir=$1 lport=$2 total=$3 target=$4
  mkdir -p "$dir"
  "$load_bin" --target "$target" --messages "$total" --senders "$senders" --window "$window" \
    --local-port "$lport" --users "$users" --auth "${auth:-each}" 2> "$dir/sip_load.err"
  children_cpu "$dir/load.cpu"
}

# Microseconds of CPU per stored message: what the load generator of DIR
# (run_sipps or run_native) spent for ACCEPTED stored messages.
load_us_per_stored() {
  awk -v c="$(cat "$1/load.cpu" 2> /dev/null || echo 0)" -v n="$2" \
    'BEGIN { printf "%.1f", (n > 0 ? 1e6 * c / n : 0) }'
}

# Waits until something answers an OPTIONS at 127.0.0.1:PORT (about 20 s).
wait_port() {
  local i
  for i in $(seq 100); do
    "$ua_bin" ping --proxy "127.0.0.1:$1" --timeout 0.2 --quiet > /dev/null 2>&1 && return 0
  done
  return 1
}

# Delivery: every user registers (sipsaf-ua listen), user i at TARGET i mod
# the number of targets, and takes its messages into DIR; prints "delivered
# distinct duplicates seconds" (from the first REGISTER to the last message;
# waits until EXPECTED arrived or nothing new came for 10 s).
#   deliver DIR EXPECTED TARGET...
deliver() {
  local dir=$1 expected=$2
  shift 2
  local targets=("$@") i t0 lpids=()
  mkdir -p "$dir"
  t0=$(now)
  for i in $(seq 0 $((users - 1))); do
    "$ua_bin" listen --proxy "${targets[$((i % ${#targets[@]}))]}" --domain example.test \
      --user "u$i" --password "pw-u$i" --save-dir "$dir/saved" --json --timeout 600 \
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
    [ "$got" -ge "$expected" ] && break
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

# Kamailio msilo with WORKERS workers on udp 127.0.0.1:PORT, storing through
# the database module DB_MODULE; the further lines (modparams: the store's
# address) follow the common ones. Writes DIR/kamailio.cfg and starts it
# (log: DIR/kamailio.log); its process id is left in kpid.
#   kamailio_start DIR WORKERS PORT DB_MODULE LINE...
kamailio_start() {
  local dir=$1 workers=$2 kport=$3 db_module=$4
  shift 4
  local modules=/usr/lib/x86_64-linux-gnu/kamailio/modules
  [ -d "$modules" ] || modules=$(dirname "$(find /usr/lib -name msilo.so | head -n 1)")
  cat > "$dir/kamailio.cfg" << EOF
#!KAMAILIO
# msilo: a MESSAGE for a user without a registration is stored in the
# database and answered 202; it is sent on the user's next REGISTER (m_dump).
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
loadmodule "$db_module.so"
loadmodule "msilo.so"
loadmodule "auth.so"
modparam("usrloc", "db_mode", 0)
modparam("msilo", "expire_time", 7200)
# Every sender is digest-authenticated (RFC 3261 §22), as by sipsaf-proxy:
# MD5 with qop=auth; the passwords are the users file's, held here (auth's
# pv_auth_check: no database lookup per request).
modparam("auth", "qop", "auth")
$(printf '%s\n' "$@")
request_route {
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
  # What msilo sends through this Kamailio comes from its own socket.
  if (!(src_ip == 127.0.0.1 && src_port == $kport)) {
    \$var(pw) = "pw-" + \$fU;
    if (\$fU == "alice") \$var(pw) = "wonderland";
    if (!pv_auth_check("\$fd", "\$var(pw)", "0", "1")) { auth_challenge("\$fd", "1"); exit; }
    consume_credentials();
  }
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
  kpid=$!
  pids+=("$kpid")
  wait_port "$kport" || true # Kamailio answers OPTIONS 405: any answer will do
}

kamailio_version() { kamailio -v | awk 'NR == 1 { print $3 }'; }
# The comparison runs unless SKIP_KAMAILIO=1 or Kamailio is not installed.
kamailio_wanted() { [ "${SKIP_KAMAILIO:-0}" != 1 ] && command -v kamailio > /dev/null; }

# The result in Markdown: the line SUMMARY, then a table with the columns of
# HEADER ("| a | b |") and the rows (array rows).
print_table() {
  echo
  echo "$1"
  echo
  echo "$2"
  echo "$2" | sed 's/[^|]//g; s/|/---|/g; s/^---//'
  printf '%s\n' "${rows[@]}"
}
