// Fuzz target: the transfer decodings. base64 input that decodes must encode
// and decode back to the same bytes, and both decoder forms must agree;
// the vector and scalar decoders must agree; quoted-printable must decode or fail with an offset
// inside the input and never grow the data.
#include <sipsaf/mime/base64.hpp>
#include <sipsaf/mime/quoted_printable.hpp>

#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view const in(reinterpret_cast<char const*>(data), size);

  auto decoded = sipsaf::decode_base64(in);
  std::string via_iterator;
  auto iter = sipsaf::decode_base64(in, std::back_inserter(via_iterator));
  if (decoded.has_value() != iter.has_value()) std::abort();
  if (decoded) {
    if (*decoded != via_iterator) std::abort();
    if (decoded->size() > sipsaf::base64_decoded_size_bound(size)) std::abort();
    std::size_t const line = size % 80;
    std::string const coded = sipsaf::encode_base64(*decoded, line);
    if (coded.size() != sipsaf::base64_encoded_size(decoded->size(), line)) std::abort();
    auto back = sipsaf::decode_base64(coded);
    if (!back || *back != *decoded) std::abort();
  } else if (decoded.error().offset > size || decoded.error() != iter.error()) {
    std::abort();
  }

  // The vector decoders (where the CPU has them) agree with the scalar one.
  std::string scalar(sipsaf::base64_decoded_size_bound(size), '\0');
  char* sp = &scalar[0];
  auto const rs = sipsaf::detail::base64_decode(in, sp, 0);
  for (int level = 1; level <= 2; ++level) {
    std::string vec(scalar.size(), '\0');
    char* vp = &vec[0];
    auto const rv = sipsaf::detail::base64_decode(in, vp, level);
    if (rv.has_value() != rs.has_value()) std::abort();
    if (!rv && rv.error() != rs.error()) std::abort();
    if (rv && (vp - vec.data() != sp - scalar.data() || vec != scalar)) std::abort();
  }

  auto qp = sipsaf::decode_quoted_printable(in);
  if (qp) {
    if (qp->size() > size) std::abort();
  } else if (qp.error().offset >= size) {
    std::abort();
  }
  return 0;
}
