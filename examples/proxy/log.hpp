// Logging to standard error: one line per event, with a UTC timestamp and a
// level, written in one call so that lines never interleave.
#ifndef SIPSAF_EXAMPLES_PROXY_LOG_HPP
#define SIPSAF_EXAMPLES_PROXY_LOG_HPP

#include <sipsaf/time.hpp>

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

namespace proxy::log {

enum class level { debug, info, warn, error };

/// Lines below this level are not written (`SIPSAF_PROXY_DEBUG=1` lowers it).
inline level threshold = level::info;

namespace pending {
inline std::string held;  // lines written while held
inline int hold_depth = 0;

inline void flush() {
  if (held.empty()) return;
  std::fwrite(held.data(), 1, held.size(), stderr);
  std::fflush(stderr);
  held.clear();
}
}  // namespace pending

/// Between `hold()` and `release()` lines are gathered and written together
/// (one system call for a batch of messages); nesting is allowed.
inline void hold() {
  ++pending::hold_depth;
}
inline void release() {
  if (pending::hold_depth > 0 && --pending::hold_depth == 0) pending::flush();
}

inline void write(level l, std::string_view text) {
  if (l < threshold) return;
  static constexpr char const* names[] = {"DEBUG", "INFO ", "WARN ", "ERROR"};
  auto const now =
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  std::string line = sipsaf::format_rfc3339(now);
  line.reserve(line.size() + 8 + text.size());
  line.append(" ").append(names[static_cast<int>(l)]).append(" ");
  auto const start = line.size();
  line.append(text);
  // One event, one line. (memchr: a byte-by-byte copy was half of a line's cost.)
  char* const end = line.data() + line.size();
  for (char const eol : {'\r', '\n'})
    for (char* p = line.data() + start;
         (p = static_cast<char*>(std::memchr(p, eol, static_cast<std::size_t>(end - p))));)
      *p++ = ' ';
  line += '\n';
  if (pending::hold_depth > 0) {
    pending::held += line;
    if (pending::held.size() >= 64 * 1024) pending::flush();
    return;
  }
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

template <class... A>
void debug(fmt::format_string<A...> f, A&&... a) {
  if (threshold <= level::debug) write(level::debug, fmt::format(f, std::forward<A>(a)...));
}
template <class... A>
void info(fmt::format_string<A...> f, A&&... a) {
  write(level::info, fmt::format(f, std::forward<A>(a)...));
}
template <class... A>
void warn(fmt::format_string<A...> f, A&&... a) {
  write(level::warn, fmt::format(f, std::forward<A>(a)...));
}
template <class... A>
void error(fmt::format_string<A...> f, A&&... a) {
  write(level::error, fmt::format(f, std::forward<A>(a)...));
}

}  // namespace proxy::log

#endif  // SIPSAF_EXAMPLES_PROXY_LOG_HPP
