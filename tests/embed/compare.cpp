// Runs the embedding examples (sipsaf's message_view, sofia-sip, osip2) on
// one request with the same options and checks that they agree:
//
// - the same exit code, and the expected one;
// - line for line the same engine output: what the adapter read from the
//   stack's message ("request:"), the decision, response code, rule, trace,
//   actions, and what is sent and received ("send:", "receive:", "== ");
// - the messages each stack wrote parse with sipsaf's parse_message and
//   mean the same: start line, From/To URI and tag, Call-ID, CSeq, top Via
//   branch, Max-Forwards, Content-Type (parsed), Request-Disposition (parsed,
//   canonical), Date, Accept, Event, Content-Disposition, the header names
//   and the body;
// - the first decision and code are the expected ones, and each --expect
//   text occurs in the reference output.
//
//   sipsaf_embed_compare --program NAME=PATH... --input FILE --workdir DIR
//       [--exit N] [--decision TEXT] [--code TEXT] [--expect TEXT]...
//       [--trace-may-differ NAME]... -- ARGS...
//
// --trace-may-differ: that program's "trace:" lines are not compared (a
// stack that cannot hand over what the trace quotes, e.g. the rows of a
// header it re-splits); everything else still is.
//
// Each program writes its messages (--save) to DIR/NAME/.
//
// A program with an empty PATH was not built (its stack is not installed):
// it is reported and left out. The first program is the reference.
#include <sipsaf/message/fields.hpp>
#include <sipsaf/message/message_view.hpp>
#include <sipsaf/mime/media_type.hpp>
#include <sipsaf/rfc3841/request_disposition.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

struct program {
  std::string name, path;
  int exit_code = -1;
  std::string out;
  std::filesystem::path saved;  // where it wrote its messages
};

// Runs `path args... input` and collects its standard output and exit code.
auto run(program& p, std::vector<std::string> args, std::string const& input) -> bool {
  std::error_code ec;
  std::filesystem::remove_all(p.saved, ec);
  std::filesystem::create_directories(p.saved, ec);
  if (ec) return false;
  args.push_back("--save");
  args.push_back(p.saved.string());
  int fd[2];
  if (pipe(fd) != 0) return false;
  pid_t const pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    dup2(fd[1], 1);
    close(fd[0]);
    close(fd[1]);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(p.path.c_str()));
    for (auto const& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(const_cast<char*>(input.c_str()));
    argv.push_back(nullptr);
    execv(p.path.c_str(), argv.data());
    _exit(127);
  }
  close(fd[1]);
  char buf[4096];
  ssize_t n;
  while ((n = read(fd[0], buf, sizeof buf)) > 0) p.out.append(buf, static_cast<std::size_t>(n));
  close(fd[0]);
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return false;
  p.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return true;
}

auto lines_of(std::string const& s) -> std::vector<std::string> {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string l;
  while (std::getline(in, l)) out.push_back(l);
  return out;
}

auto starts_with(std::string_view s, std::string_view p) -> bool {
  return s.substr(0, p.size()) == p;
}

// The lines every stack must print alike.
auto engine_lines(std::string const& out) -> std::vector<std::string> {
  static char const* const kinds[] = {"request:", "decision:", "code:",    "rule:", "trace:",
                                      "action:",  "send:",     "receive:", "== ",   "error:"};
  std::vector<std::string> keep;
  for (auto const& l : lines_of(out))
    for (char const* k : kinds)
      if (starts_with(l, k)) {
        keep.push_back(l);
        break;
      }
  return keep;
}

// The messages a program wrote with --save, in order, exactly.
auto messages(std::filesystem::path const& dir) -> std::vector<std::string> {
  std::vector<std::string> msgs;
  for (unsigned n = 1;; ++n) {
    std::ifstream f(dir / (std::to_string(n) + ".sip"), std::ios::binary);
    if (!f) break;
    msgs.emplace_back(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }
  return msgs;
}

auto squeeze(std::string_view v) -> std::string {
  std::string s;
  for (char c : v)
    if (c != ' ' && c != '\t') s += c;
  return s;
}

// What a message means, as sipsaf reads it.
auto meaning(std::string const& wire) -> std::string {
  if (starts_with(wire, "unwritten: ")) return wire;
  auto m = sipsaf::parse_message(wire);
  if (!m) return "does not parse: " + m.error().message();
  if (auto v = m->validate(); !v) return "does not parse: " + v.error().message();
  std::ostringstream s;
  s << "start: " << m->start_line() << '\n';
  if (auto f = m->from()) s << "from: " << f->uri.text << " tag " << f->tag << '\n';
  if (auto t = m->to()) s << "to: " << t->uri.text << " tag " << t->tag << '\n';
  if (auto c = m->call_id()) s << "call-id: " << *c << '\n';
  if (auto c = m->cseq()) s << "cseq: " << c->number << ' ' << c->method << '\n';
  if (auto v = m->via()) s << "via: " << v->size() << " top branch " << v->front().branch << '\n';
  if (auto mf = m->max_forwards()) s << "max-forwards: " << *mf << '\n';
  if (auto ct = m->content_type()) s << "content-type: " << sipsaf::to_string(*ct) << '\n';
  auto rd = m->request_disposition();
  if (!rd)
    s << "request-disposition: error " << rd.error().message() << '\n';
  else if (!rd->empty())
    s << "request-disposition: " << sipsaf::to_string(*rd) << '\n';
  for (auto name : {"Date", "Expires", "Accept", "Event", "Content-Disposition",
                    "Subscription-State", "Subject"}) {
    std::string v;
    for (auto x : m->values(name)) v += squeeze(x) + ",";
    if (!v.empty()) s << name << ": " << v << '\n';
  }
  std::set<std::string> names;
  for (auto const& h : m->headers()) {
    if (h.id != sipsaf::field::unknown) {
      names.insert(std::string(sipsaf::field_name(h.id)));
    } else {
      std::string n(h.name);
      for (char& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      names.insert(n);
    }
  }
  s << "headers:";
  for (auto const& n : names) s << ' ' << n;
  s << "\nbody: " << m->body().size() << " bytes\n" << m->body() << '\n';
  return s.str();
}

void usage() {
  std::cerr << "usage: sipsaf_embed_compare --program NAME=PATH... --input FILE --workdir DIR\n"
               "       [--exit N]"
               "       [--decision TEXT] [--code TEXT] [--expect TEXT]... -- ARGS...\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<program> programs;
  std::vector<std::string> args, expects, loose;
  std::string input, decision, code, workdir;
  int want_exit = 0;
  int i = 1;
  for (; i < argc; ++i) {
    std::string_view const a = argv[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (i + 1 >= argc) return usage(), 2;
    std::string const v = argv[++i];
    if (a == "--program") {
      std::size_t const eq = v.find('=');
      if (eq == std::string::npos) return usage(), 2;
      program p;
      p.name = v.substr(0, eq);
      p.path = v.substr(eq + 1);
      programs.push_back(std::move(p));
    } else if (a == "--input") {
      input = v;
    } else if (a == "--workdir") {
      workdir = v;
    } else if (a == "--exit") {
      want_exit = std::stoi(v);
    } else if (a == "--decision") {
      decision = v;
    } else if (a == "--code") {
      code = v;
    } else if (a == "--trace-may-differ") {
      loose.push_back(v);
    } else if (a == "--expect") {
      expects.push_back(v);
    } else {
      return usage(), 2;
    }
  }
  for (; i < argc; ++i) args.emplace_back(argv[i]);
  if (programs.empty() || input.empty() || workdir.empty()) return usage(), 2;
  for (auto& p : programs) p.saved = std::filesystem::path(workdir) / p.name;

  int failures = 0;
  auto fail = [&](std::string const& what) {
    std::cout << "FAIL: " << what << '\n';
    ++failures;
  };

  std::vector<program*> ran;
  for (auto& p : programs) {
    if (p.path.empty()) {
      std::cout << "skipped: " << p.name << " (not built: its stack is not installed)\n";
      continue;
    }
    if (!run(p, args, input)) {
      fail("cannot run " + p.path);
      continue;
    }
    ran.push_back(&p);
  }
  if (ran.empty()) return 1;

  program const& ref = *ran.front();
  std::cout << "--- " << ref.name << " (reference), exit " << ref.exit_code << '\n' << ref.out;
  if (ref.exit_code != want_exit)
    fail(ref.name + " exited with " + std::to_string(ref.exit_code) + ", expected " +
         std::to_string(want_exit));

  // The expected outcome, from design.md's decision order.
  auto const ref_lines = engine_lines(ref.out);
  auto first = [&](std::string_view kind) -> std::string {
    for (auto const& l : ref_lines)
      if (starts_with(l, kind)) return l.substr(kind.size());
    return "(none)";
  };
  if (!decision.empty() && first("decision: ") != decision)
    fail("decision '" + first("decision: ") + "', expected '" + decision + "'");
  if (!code.empty() && !starts_with(first("code: "), code))
    fail("code '" + first("code: ") + "', expected '" + code + "'");
  for (auto const& e : expects)
    if (ref.out.find(e) == std::string::npos) fail("no '" + e + "' in the output");

  auto const ref_msgs = messages(ref.saved);
  std::vector<std::string> ref_meaning;
  for (auto const& m : ref_msgs) {
    ref_meaning.push_back(meaning(m));
    if (!starts_with(ref_meaning.back(), "start: "))
      fail(ref.name + " wrote a message sipsaf cannot read: " + ref_meaning.back());
  }

  for (std::size_t k = 1; k < ran.size(); ++k) {
    program const& p = *ran[k];
    std::cout << "--- " << p.name << ", exit " << p.exit_code << '\n' << p.out;
    if (p.exit_code != ref.exit_code)
      fail(p.name + " exited with " + std::to_string(p.exit_code) + ", " + ref.name + " with " +
           std::to_string(ref.exit_code));
    auto lines = engine_lines(p.out);
    auto ref_cmp = ref_lines;
    if (std::find(loose.begin(), loose.end(), p.name) != loose.end()) {
      auto no_trace = [](std::vector<std::string>& v) {
        v.erase(std::remove_if(v.begin(), v.end(),
                               [](std::string const& l) { return starts_with(l, "trace:"); }),
                v.end());
      };
      no_trace(lines);
      no_trace(ref_cmp);
      std::cout << "(" << p.name << ": trace lines not compared)\n";
    }
    std::size_t const n = std::max(lines.size(), ref_cmp.size());
    for (std::size_t j = 0; j < n; ++j) {
      std::string const a = j < ref_cmp.size() ? ref_cmp[j] : "(nothing)";
      std::string const b = j < lines.size() ? lines[j] : "(nothing)";
      if (a != b) {
        fail(p.name + " differs from " + ref.name + " at line " + std::to_string(j + 1) + ":\n  " +
             ref.name + ": " + a + "\n  " + p.name + ": " + b);
        break;
      }
    }
    auto const msgs = messages(p.saved);
    if (msgs.size() != ref_msgs.size()) {
      fail(p.name + " wrote " + std::to_string(msgs.size()) + " messages, " + ref.name + " " +
           std::to_string(ref_msgs.size()));
      continue;
    }
    for (std::size_t j = 0; j < msgs.size(); ++j) {
      std::string const got = meaning(msgs[j]);
      if (got != ref_meaning[j])
        fail(p.name + "'s message " + std::to_string(j + 1) + " means something else:\n" +
             ref.name + ":\n" + ref_meaning[j] + p.name + ":\n" + got);
    }
  }

  std::cout << "=== " << ran.size() << " of " << programs.size() << " programs ran; "
            << (failures == 0 ? "they agree" : std::to_string(failures) + " failure(s)") << '\n';
  return failures == 0 ? 0 : 1;
}
