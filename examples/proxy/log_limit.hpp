// Log lines of one kind at a bounded rate: a flood of bad requests must not
// become a flood of log (disk, and the operator's attention). Within each
// second the first `per_second` lines of a kind are written; the rest are
// counted and the count is written once the second is over.
#ifndef SIPSAF_EXAMPLES_PROXY_LOG_LIMIT_HPP
#define SIPSAF_EXAMPLES_PROXY_LOG_LIMIT_HPP

#include "log.hpp"

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace proxy {

class log_limiter {
 public:
  using clock = std::chrono::steady_clock;
  explicit log_limiter(std::size_t per_second = 20) : per_second_(per_second) {}

  /// May a line of `kind` be written now? `kind` names a fixed set of call
  /// sites (the table does not grow with the input).
  auto allow(std::string_view kind, clock::time_point now) -> bool {
    auto& k = kinds_[std::string(kind)];
    if (now - k.window >= std::chrono::seconds(1)) {
      if (k.suppressed > 0) reports_.emplace_back(std::string(kind), k.suppressed);
      k.window = now;
      k.written = k.suppressed = 0;
    }
    if (k.written < per_second_) {
      ++k.written;
      return true;
    }
    ++k.suppressed;
    return false;
  }
  /// Counts of lines left out, per kind, since the last call (for a line
  /// "N more ... not logged").
  auto take_reports(clock::time_point now) -> std::vector<std::pair<std::string, std::size_t>> {
    for (auto& [name, k] : kinds_)
      if (now - k.window >= std::chrono::seconds(1) && k.suppressed > 0) {
        reports_.emplace_back(name, k.suppressed);
        k.suppressed = 0;
      }
    return std::exchange(reports_, {});
  }
  /// Writes the counts of lines left out (once their second is over).
  void report(clock::time_point now) {
    for (auto const& [k, n] : take_reports(now))
      log::warn("{} more lines of kind '{}' not logged in the last second", n, k);
  }
  /// Writes the counts of lines left out, then this line of `kind` if allowed.
  template <class... A>
  void write(log::level l, std::string_view kind, fmt::format_string<A...> f, A&&... a) {
    auto const now = clock::now();
    report(now);
    if (allow(kind, now)) log::write(l, fmt::format(f, std::forward<A>(a)...));
  }

 private:
  struct counts {
    clock::time_point window{};
    std::size_t written = 0, suppressed = 0;
  };
  std::size_t per_second_;
  std::map<std::string, counts> kinds_;
  std::vector<std::pair<std::string, std::size_t>> reports_;
};

}  // namespace proxy

#endif  // SIPSAF_EXAMPLES_PROXY_LOG_LIMIT_HPP
