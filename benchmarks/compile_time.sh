#!/bin/bash
# What a user pays to compile against sipsaf, beside Boost.Beast's HTTP
# request parser, in one run: each file below is compiled ROUNDS times,
# round by round in turn (so that the changing load of a shared machine
# falls on every file alike), with /usr/bin/time -v; the table gives the
# median CPU time (user + system) and the median peak memory of the compiler,
# each also as a ratio to the Beast file's median of the same run.
#
#   benchmarks/compile_time.sh                     # g++ -std=c++17 -O2, 5 rounds
#   CXX=clang++ CXXFLAGS="-std=c++17 -O2" ROUNDS=3 benchmarks/compile_time.sh
#
# Each sipsaf file includes one header and makes one call of what that header
# is for; the umbrella file makes one Request-Disposition parse. Each is
# compiled header-only and again with SIPSAF_SEPARATE_COMPILATION (rows
# "... separate": what a file of a program that compiles <sipsaf/src.hpp>
# once elsewhere pays). The Beast file parses one HTTP request with
# http::request_parser<string_body>, header-only.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cxx=${CXX:-g++}
flags=${CXXFLAGS:--std=c++17 -O2}
rounds=${ROUNDS:-5}
work=$(mktemp -d)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
trap 'rm -rf "$work"' EXIT

# name|header|body of main (the call)
cases=(
  "sipsaf.hpp|sipsaf.hpp|auto r = sipsaf::parse_request_disposition(argv[0]); return r ? 0 : 1;"
  "rfc3841|sipsaf/rfc3841/request_disposition.hpp|auto r = sipsaf::parse_request_disposition(argv[0]); return r ? 0 : 1;"
  "message|sipsaf/message.hpp|auto m = sipsaf::parse_message(argv[0]); return m ? 0 : 1;"
  "mime|sipsaf/mime.hpp|auto t = sipsaf::parse_media_type(argv[0]); return t ? 0 : 1;"
  "policy|sipsaf/policy.hpp|auto r = sipsaf::parse_request_disposition(argv[0]); return r ? 0 : 1;"
  "store|sipsaf/store.hpp|sipsaf::memory_store s; return s.size() == 0 ? 0 : 1;"
  "gateway|sipsaf/gateway.hpp|auto m = sipsaf::segment_sms(argv[0]); return m.segments.empty() ? 1 : 0;"
)
names=()
for c in "${cases[@]}"; do
  IFS='|' read -r name header body <<< "$c"
  printf '#include <%s>\nint main(int, char** argv) {\n  %s\n}\n' "$header" "$body" \
    > "$work/$name.cpp"
  names+=("$name")
done
for c in "${cases[@]}"; do
  names+=("${c%%|*}.separate")
done
cat > "$work/beast.cpp" << 'EOF'
#include <boost/beast/http.hpp>
int main(int, char** argv) {
  namespace http = boost::beast::http;
  http::request_parser<http::string_body> p;
  boost::beast::error_code ec;
  p.put(boost::asio::buffer(argv[0], 64), ec);
  return ec ? 1 : 0;
}
EOF
names+=(beast)

compile() {  # compile NAME: appends "cpu_seconds max_kb" to $work/NAME.times
  local name=$1 src=${1%.separate} mode=
  [ "$src" = "$name" ] || mode=-DSIPSAF_SEPARATE_COMPILATION
  # shellcheck disable=SC2086
  /usr/bin/time -f '%U %S %M' -o "$work/$name.t" \
    "$cxx" $flags $mode -I"$here/include" -c "$work/$src.cpp" -o "$work/$name.o"
  awk '{ printf "%.2f %d\n", $1 + $2, $3 }' "$work/$name.t" >> "$work/$name.times"
}
for _ in $(seq "$rounds"); do
  for name in "${names[@]}"; do compile "$name"; done
done

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
cpu_of() { cut -d' ' -f1 "$work/$1.times" | median; }
kb_of() { cut -d' ' -f2 "$work/$1.times" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
beast_cpu=$(cpu_of beast)
beast_kb=$(kb_of beast)
echo "$("$cxx" --version | head -1), flags: $flags, $rounds rounds, $(nproc) cores, load $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after"
printf '| %-24s | %8s | %8s | %8s | %8s |\n' file "CPU s" "/ Beast" "peak MB" "/ Beast"
printf '|%s|%s|%s|%s|%s|\n' "--------------------------" "----------" "----------" "----------" "----------"
for name in "${names[@]}"; do
  cpu=$(cpu_of "$name")
  kb=$(kb_of "$name")
  printf '| %-24s | %8s | %8s | %8d | %8s |\n' "$name" "$cpu" "$(ratio "$cpu" "$beast_cpu")" \
    "$((kb / 1024))" "$(ratio "$kb" "$beast_kb")"
done
