// sipsaf-inspect: reads one SIP message and prints what sipsaf sees as JSON.
//
//   sipsaf-inspect [--strict] [--extract DIR] [FILE]
//
// Reads FILE (or standard input) and prints one JSON object on standard output:
//   exit 0  {"kind", "method"/"request_uri" or "status"/"reason", "version",
//            "headers": [{"name", "value"}], "request_disposition": null | {...},
//            "body": {"content_type", "length", "parts": [...]}}
//   exit 1  {"error": {"code", "message", "offset"}}  (offset: bytes from the input start)
//   exit 2  usage error, with a usage line on standard error
// --strict reads Request-Disposition in strict RFC 3841 mode. --extract DIR
// writes each leaf part's decoded bytes to DIR/part-1, DIR/part-2.1, ...
#include <sipsaf/ascii.hpp>
#include <sipsaf/message.hpp>
#include <sipsaf/mime/content_disposition.hpp>
#include <sipsaf/mime/multipart.hpp>
#include <sipsaf/rfc3841/request_disposition.hpp>

#include "../common/json_string.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

// A small JSON writer: objects and arrays written in order, strings escaped.
// Bytes that are not well-formed UTF-8 are written as \u00XX (their Latin-1
// reading) so that the output is always valid JSON.
class json {
 public:
  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  void key(std::string_view k) {
    comma();
    string(k);
    out_ += ':';
    after_key_ = true;
  }
  void value(std::string_view s) {
    comma();
    string(s);
  }
  void value(std::size_t n) {
    comma();
    out_ += std::to_string(n);
  }
  void value(int n) {
    comma();
    out_ += std::to_string(n);
  }
  void value(bool b) {
    comma();
    out_ += b ? "true" : "false";
  }
  void null() {
    comma();
    out_ += "null";
  }
  auto str() const -> std::string const& { return out_; }

 private:
  void open(char c) {
    comma();
    out_ += c;
    first_ = true;
  }
  void close(char c) {
    out_ += c;
    first_ = false;
  }
  void comma() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_) out_ += ',';
    first_ = false;
  }
  void string(std::string_view s) { out_ += example::json_string(s); }

  std::string out_;
  bool first_ = true;
  bool after_key_ = false;
};

auto usage() -> int {
  std::cerr << "usage: sipsaf-inspect [--strict] [--extract DIR] [FILE]\n";
  return 2;
}

auto fail(sipsaf::parse_error const& e) -> int {
  json j;
  j.begin_object();
  j.key("error");
  j.begin_object();
  j.key("code");
  j.value(std::string_view(sipsaf::to_string(e.code)));
  j.key("message");
  j.value(sipsaf::make_error_code(e.code).message());
  j.key("offset");
  j.value(e.offset);
  j.end_object();
  j.end_object();
  std::cout << j.str() << '\n';
  return 1;
}

auto type_text(sipsaf::media_type const& t) -> std::string {
  std::string s(t.type);
  s += '/';
  s += t.subtype;
  return sipsaf::ascii_lower(s);
}

struct context {
  std::string_view input;
  std::optional<std::filesystem::path> extract;
};

auto offset_in(context const& ctx, std::string_view v) -> std::size_t {
  return static_cast<std::size_t>(v.data() - ctx.input.data());
}

// Writes the parts of a list; returns an error for a part that cannot be read.
template <class Parts>
auto write_parts(json& j, context const& ctx, Parts const& parts, std::string const& prefix)
    -> std::optional<sipsaf::parse_error> {
  j.begin_array();
  std::size_t n = 0;
  for (sipsaf::part_view const part : parts) {
    std::string const number = prefix + std::to_string(++n);
    j.begin_object();
    j.key("content_type");
    j.value(type_text(part.content_type()));
    j.key("disposition");
    std::string disposition(sipsaf::default_disposition_type(part.content_type()));
    if (auto cd = part.header("Content-Disposition")) {
      auto d = sipsaf::parse_content_disposition(*cd);
      if (!d) return d.error().rebased(offset_in(ctx, *cd));
      disposition = sipsaf::ascii_lower(d->type);
    }
    j.value(disposition);
    if (part.is_multipart()) {
      j.key("length");
      j.value(part.body().size());
      j.key("parts");
      if (auto e = write_parts(j, ctx, part.parts(), number + ".")) return e;
    } else {
      auto decoded = part.decoded_body();
      if (!decoded) return decoded.error().rebased(offset_in(ctx, part.body()));
      j.key("length");
      j.value(decoded->size());
      j.key("parts");
      j.begin_array();
      j.end_array();
      if (ctx.extract) {
        auto const file = *ctx.extract / ("part-" + number);
        std::ofstream out(file, std::ios::binary);
        out.write(decoded->data(), static_cast<std::streamsize>(decoded->size()));
        if (!out) {
          std::cerr << "sipsaf-inspect: cannot write " << file.string() << '\n';
          std::exit(2);
        }
        j.key("file");
        j.value(file.string());
      }
    }
    j.end_object();
  }
  j.end_array();
  return std::nullopt;
}

auto inspect(context const& ctx, sipsaf::request_disposition_options const& rd_opts) -> int {
  auto m = sipsaf::parse_message(ctx.input);
  if (!m) return fail(m.error());
  // Every typed field now: inspect refuses what RFC 4475 calls malformed.
  if (auto v = m->validate(); !v) return fail(v.error());
  json j;
  j.begin_object();
  j.key("kind");
  j.value(std::string_view(m->is_request() ? "request" : "response"));
  if (m->is_request()) {
    j.key("method");
    j.value(m->method());
    j.key("request_uri");
    j.value(m->request_uri());
  } else {
    j.key("status");
    j.value(m->status());
    j.key("reason");
    j.value(m->reason());
  }
  j.key("version");
  j.value(m->version());
  j.key("headers");
  j.begin_array();
  for (auto const& h : m->headers()) {
    j.begin_object();
    j.key("name");
    j.value(h.name);
    j.key("value");
    j.value(h.value);
    j.end_object();
  }
  j.end_array();

  j.key("request_disposition");
  auto rd = m->request_disposition(rd_opts);
  if (!rd) return fail(rd.error());
  if (m->count("Request-Disposition") == 0) {
    j.null();
  } else {
    j.begin_object();
    j.key("directives");
    j.begin_array();
    rd->for_each([&](sipsaf::directive_entry e) { j.value(sipsaf::ascii_lower(e.text)); });
    j.end_array();
    j.key("store");
    switch (rd->store()) {
      case sipsaf::store_command::none:
        j.null();
        break;
      case sipsaf::store_command::do_not_store:
        j.value(std::string_view("do-not-store"));
        break;
      case sipsaf::store_command::store:
        j.value(std::string_view("store"));
        break;
      case sipsaf::store_command::store_and_forward_if_not_reached:
        j.value(std::string_view("store-and-forward-if-not-reached"));
        break;
    }
    j.key("notify");
    j.value(rd->notify());
    j.key("code");
    std::string_view const code = sipsaf::identifier_code(*rd);
    if (code.empty())
      j.null();
    else
      j.value(code);
    j.key("canonical");
    j.value(sipsaf::to_string(*rd));
    j.end_object();
  }

  j.key("body");
  j.begin_object();
  j.key("content_type");
  std::optional<sipsaf::media_type> ct;
  if (m->count("Content-Type") != 0) {
    auto t = m->content_type();
    if (!t) return fail(t.error());
    ct = *t;
    j.value(type_text(*ct));
  } else {
    j.null();
  }
  j.key("length");
  j.value(m->body().size());
  j.key("parts");
  if (ct && ct->is_multipart()) {
    auto mp = sipsaf::parse_multipart(m->body(), *ct);
    if (!mp) return fail(mp.error().rebased(m->offset_of(m->body())));
    if (auto e = write_parts(j, ctx, mp->parts(), "")) return fail(*e);
  } else {
    j.begin_array();
    j.end_array();
  }
  j.end_object();
  j.end_object();
  std::cout << j.str() << '\n';
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  sipsaf::request_disposition_options rd_opts;
  context ctx;
  std::optional<std::string> file;
  for (int i = 1; i < argc; ++i) {
    std::string_view const a = argv[i];
    if (a == "--strict") {
      rd_opts.mode = sipsaf::disposition_mode::strict;
    } else if (a == "--extract") {
      if (++i == argc) return usage();
      ctx.extract = std::filesystem::path(argv[i]);
    } else if (a == "-h" || a == "--help") {
      std::cout << "usage: sipsaf-inspect [--strict] [--extract DIR] [FILE]\n";
      return 0;
    } else if (a.size() > 1 && a[0] == '-') {
      return usage();
    } else if (file) {
      return usage();
    } else {
      file = std::string(a);
    }
  }
  std::string data;
  if (file) {
    std::ifstream in(*file, std::ios::binary);
    if (!in) {
      std::cerr << "sipsaf-inspect: cannot read " << *file << '\n';
      return usage();
    }
    data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } else {
    data.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  if (ctx.extract) {
    std::error_code ec;
    std::filesystem::create_directories(*ctx.extract, ec);
    if (ec) {
      std::cerr << "sipsaf-inspect: cannot create " << ctx.extract->string() << '\n';
      return usage();
    }
  }
  ctx.input = data;
  return inspect(ctx, rd_opts);
}
