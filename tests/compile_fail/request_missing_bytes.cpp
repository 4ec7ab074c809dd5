// A request type without the raw bytes: the engine must refuse it by name.
#include <sipsaf/policy/engine.hpp>
#include <sipsaf/store/memory_store.hpp>
#include <sipsaf/testing/models.hpp>

#include <string>

struct request_without_bytes {
  std::string method, from_uri, from_tag, to_uri, call_id;
  unsigned cseq = 1;
  std::string content_type, date, expires, request_disposition, body;
#ifdef SIPSAF_CONTROL
  std::string bytes;
#endif
};

int main() {
  sipsaf::memory_store store;
  sipsaf::static_directory directory;
  sipsaf::manual_clock clock;
  sipsaf::store_forward_engine<sipsaf::memory_store&, sipsaf::static_directory&,
                               sipsaf::manual_clock&>
      engine(store, directory, clock);
  sipsaf::outcome out;
  engine.on_request(request_without_bytes{}, out);
}
