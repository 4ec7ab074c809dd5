// The proxy's two configuration files, parsed into plain values. Pure
// functions (no I/O but `load_*`), so that they can be tested alone.
//
// Users file: one user a line, `NAME PASSWORD`; the realm is the domain.
//
//   # name   password
//   alice    wonderland
//   bob      builder
//
// Profiles file: one `[user]` section per recipient, and `[default]` for the
// operator's defaults; `#` starts a comment (at the start of a line or
// after a space).
//
//   [default]
//   store-classes = premium, gold      # classes that may store; all when absent
//   lifetime = 259200
//
//   [bob]
//   store-and-forward = notify         # no | yes | notify | forward:SIP-URI
//                                      # | email:ADDRESS (--smtp) | sms:+E164 (--sms-url)
//                                      # | mms:+E164 (--smtp and --mms-domain)
//   accepts = text/plain, image/*
//   class = premium
//   quota-messages = 100
//   quota-bytes = 10485760
//   lifetime = 259200                  # seconds
//
// Every error names the file and the line.
#ifndef SIPSAF_EXAMPLES_PROXY_CONFIG_FILES_HPP
#define SIPSAF_EXAMPLES_PROXY_CONFIG_FILES_HPP

#include <sipsaf/gateway/internet_message.hpp>
#include <sipsaf/gateway/mm4.hpp>
#include <sipsaf/policy/profile.hpp>
#include <sipsaf/result.hpp>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace proxy {

/// What is wrong in a configuration file, and where.
struct file_error {
  std::string file;
  std::size_t line = 0;  // 1-based; 0: the file as a whole
  std::string message;

  auto text() const -> std::string {
    return line == 0 ? file + ": " + message : file + ":" + std::to_string(line) + ": " + message;
  }
};

/// The users file: user name → password.
struct users_file {
  std::map<std::string, std::string, std::less<>> passwords;

  auto find(std::string_view name) const -> std::string const* {
    auto it = passwords.find(name);
    return it == passwords.end() ? nullptr : &it->second;
  }
};

/// The profiles file: the operator's defaults and one profile per user.
struct profiles_file {
  sipsaf::operator_defaults defaults;
  std::map<std::string, sipsaf::recipient_profile, std::less<>> users;

  /// The user's profile; an empty one (all defaults) when the file has none.
  auto find(std::string_view name) const -> sipsaf::recipient_profile const& {
    static sipsaf::recipient_profile const none;
    auto it = users.find(name);
    return it == users.end() ? none : it->second;
  }
};

namespace lines {

inline auto trim(std::string_view s) -> std::string_view {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// `#` starts a comment at the start of a line or after a blank, so that a
// value may still contain one (a URI fragment, say).
inline auto strip_comment(std::string_view line) -> std::string_view {
  for (std::size_t i = 0; i < line.size(); ++i)
    if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t'))
      return line.substr(0, i);
  return line;
}

// RFC 3261 §25.1 `user` characters that need no escaping, less the
// separators: what a user name in these files may hold.
inline auto is_user_char(char c) -> bool {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("-_.!~*'()&=+$,;?/").find(c) != std::string_view::npos;
}

inline auto valid_user(std::string_view s) -> bool {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_user_char(c)) return false;
  return true;
}

inline auto parse_count(std::string_view v, std::uint64_t& out) -> bool {
  if (v.empty()) return false;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  return ec == std::errc() && p == v.data() + v.size();
}

// Calls `f(line_number, line)` for each line, comments and blanks removed.
template <class F>
auto for_each_line(std::string_view text, F&& f) -> bool {
  std::size_t n = 0;
  while (!text.empty()) {
    ++n;
    std::size_t const eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    line = trim(strip_comment(line));
    if (line.empty()) continue;
    if (!f(n, line)) return false;
  }
  return true;
}

}  // namespace lines

/// Parses a users file (`NAME PASSWORD` per line).
inline auto parse_users(std::string_view text, std::string const& file)
    -> sipsaf::result<users_file, file_error> {
  users_file out;
  file_error err{file, 0, {}};
  lines::for_each_line(text, [&](std::size_t n, std::string_view line) {
    std::size_t const sp = line.find_first_of(" \t");
    std::string_view const name = line.substr(0, sp);
    std::string_view const password =
        sp == std::string_view::npos ? std::string_view() : lines::trim(line.substr(sp));
    if (password.empty()) {
      err = {file, n, "expected 'NAME PASSWORD', found '" + std::string(line) + "'"};
      return false;
    }
    if (password.find_first_of(" \t") != std::string_view::npos) {
      err = {file, n, "a password may not contain blanks"};
      return false;
    }
    if (!lines::valid_user(name)) {
      err = {file, n, "'" + std::string(name) + "' is not a valid SIP user name"};
      return false;
    }
    if (!out.passwords.emplace(std::string(name), std::string(password)).second) {
      err = {file, n, "user '" + std::string(name) + "' is listed twice"};
      return false;
    }
    return true;
  });
  if (!err.message.empty()) return err;
  return out;
}

/// Parses a profiles file (see the file notes). A `forward:` target must be
/// a SIP URI; an `email:`, `sms:` or `mms:` target needs its gateway among
/// `gateway_kinds` (bit `1 << forward_kind`) and a valid address (a mailbox,
/// or `+` and 1 to 15 digits, ITU-T E.164); anything else is refused here,
/// with the line.
inline auto parse_profiles(
    std::string_view text, std::string const& file,
    std::uint8_t gateway_kinds = 1u << static_cast<unsigned>(sipsaf::forward_kind::sip))
    -> sipsaf::result<profiles_file, file_error> {
  profiles_file out;
  file_error err{file, 0, {}};
  std::string section;  // empty: before the first section
  bool in_default = false;
  sipsaf::recipient_profile* current = nullptr;
  std::map<std::string, std::size_t> seen_keys;  // key → line, within the section
  bool default_seen = false;

  auto fail = [&](std::size_t n, std::string message) {
    err = {file, n, std::move(message)};
    return false;
  };

  lines::for_each_line(text, [&](std::size_t n, std::string_view line) {
    if (line.front() == '[') {
      if (line.back() != ']') return fail(n, "a section header must end with ']'");
      std::string_view const name = lines::trim(line.substr(1, line.size() - 2));
      if (!lines::valid_user(name))
        return fail(n, "'[" + std::string(name) + "]' is not a user name");
      section = std::string(name);
      seen_keys.clear();
      in_default = section == "default";
      if (in_default) {
        if (default_seen) return fail(n, "section [default] appears twice");
        default_seen = true;
        current = nullptr;
      } else {
        auto ins = out.users.emplace(section, sipsaf::recipient_profile{});
        if (!ins.second) return fail(n, "section [" + section + "] appears twice");
        current = &ins.first->second;
      }
      return true;
    }
    std::size_t const eq = line.find('=');
    if (eq == std::string_view::npos) return fail(n, "expected 'key = value' or '[section]'");
    std::string const key(lines::trim(line.substr(0, eq)));
    std::string_view const value = lines::trim(line.substr(eq + 1));
    if (section.empty()) return fail(n, "'" + key + "' before the first [section]");
    auto const seen = seen_keys.emplace(key, n);
    if (!seen.second)
      return fail(n, "'" + key + "' given twice in [" + section + "] (first on line " +
                         std::to_string(seen.first->second) + ")");
    if (value.empty()) return fail(n, "'" + key + "' has no value");

    if (key == "store-and-forward") {
      auto s = sipsaf::parse_store_and_forward(value);
      if (!s)
        return fail(n, "store-and-forward = " + std::string(value) +
                           ": expected no, yes, notify or forward:SIP-URI (" + s.error().message() +
                           ")");
      if (s->target && s->target->kind != sipsaf::forward_kind::sip) {
        auto const kind = s->target->kind;
        std::string const& addr = s->target->address;
        if ((gateway_kinds & (1u << static_cast<unsigned>(kind))) == 0)
          return fail(
              n,
              "store-and-forward = " + std::string(value) + ": " + sipsaf::to_string(kind) +
                  (kind == sipsaf::forward_kind::email ? " targets need the e-mail gateway (--smtp)"
                   : kind == sipsaf::forward_kind::sms ? " targets need the SMS gateway (--sms-url)"
                   : kind == sipsaf::forward_kind::mms
                       ? " targets need the MMS gateway (--smtp and --mms-domain)"
                       : " targets need a gateway this proxy does not have"));
        bool const phone = kind == sipsaf::forward_kind::sms || kind == sipsaf::forward_kind::mms;
        bool const ok = phone ? sipsaf::is_e164(addr) : sipsaf::is_mail_address(addr);
        if (!ok)
          return fail(n, "store-and-forward = " + std::string(value) + ": " +
                             (phone ? "expected " + std::string(sipsaf::to_string(kind)) +
                                          ":+ and 1 to 15 digits"
                                    : std::string("not an e-mail address")));
      }
      (in_default ? out.defaults.store : current->store) = std::move(*s);
    } else if (key == "accepts") {
      auto m = sipsaf::media_ranges::parse(value);
      if (!m) return fail(n, "accepts = " + std::string(value) + ": " + m.error().message());
      (in_default ? out.defaults.accepts : current->accepts) = std::move(*m);
    } else if (key == "class") {
      if (in_default) return fail(n, "'class' belongs in a user's section, not in [default]");
      if (!lines::valid_user(value))
        return fail(n, "class = " + std::string(value) + ": not a single word");
      current->subscriber_class = std::string(value);
    } else if (key == "store-classes") {
      if (!in_default) return fail(n, "'store-classes' belongs in [default]");
      std::string_view rest = value;
      while (!rest.empty()) {
        std::size_t const comma = rest.find(',');
        std::string_view const c = lines::trim(rest.substr(0, comma));
        if (!lines::valid_user(c))
          return fail(n, "store-classes = " + std::string(value) + ": '" + std::string(c) +
                             "' is not a class name");
        out.defaults.store_classes.emplace_back(c);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      }
    } else if (key == "quota-messages" || key == "quota-bytes" || key == "lifetime" ||
               key == "max-message-bytes") {
      std::uint64_t v = 0;
      if (!lines::parse_count(value, v))
        return fail(n, key + " = " + std::string(value) + ": expected a whole number");
      if (key == "lifetime" && v == 0) return fail(n, "lifetime = 0: a message could never wait");
      auto& d = out.defaults;
      if (key == "quota-messages") {
        if (in_default)
          d.quota_messages = v;
        else
          current->quota_messages = v;
      } else if (key == "quota-bytes") {
        if (in_default)
          d.quota_bytes = v;
        else
          current->quota_bytes = v;
      } else if (key == "lifetime") {
        if (in_default)
          d.max_lifetime = std::chrono::seconds(v);
        else
          current->max_lifetime = std::chrono::seconds(v);
      } else {
        if (!in_default) return fail(n, "'max-message-bytes' belongs in [default]");
        d.max_message_bytes = v;
      }
    } else {
      return fail(n, "unknown key '" + key +
                         "' (known: store-and-forward, accepts, class, quota-messages, "
                         "quota-bytes, lifetime; in [default] also store-classes, "
                         "max-message-bytes)");
    }
    return true;
  });
  if (!err.message.empty()) return err;
  return out;
}

/// Reads a whole file; a `file_error` when it cannot be read.
inline auto read_file(std::string const& path) -> sipsaf::result<std::string, file_error> {
  std::ifstream in(path, std::ios::binary);
  if (!in) return file_error{path, 0, "cannot open the file"};
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return file_error{path, 0, "cannot read the file"};
  return ss.str();
}

inline auto load_users(std::string const& path) -> sipsaf::result<users_file, file_error> {
  auto text = read_file(path);
  if (!text) return text.error();
  return parse_users(*text, path);
}

inline auto load_profiles(
    std::string const& path,
    std::uint8_t gateway_kinds = 1u << static_cast<unsigned>(sipsaf::forward_kind::sip))
    -> sipsaf::result<profiles_file, file_error> {
  auto text = read_file(path);
  if (!text) return text.error();
  return parse_profiles(*text, path, gateway_kinds);
}

}  // namespace proxy

#endif  // SIPSAF_EXAMPLES_PROXY_CONFIG_FILES_HPP
