// A message store without erase(): the engine must refuse it by name.
#include <sipsaf/policy/engine.hpp>
#include <sipsaf/store/memory_store.hpp>
#include <sipsaf/testing/models.hpp>

struct store_without_erase {
  sipsaf::memory_store inner;
  auto put(sipsaf::stored_message const& m) { return inner.put(m); }
  auto get(sipsaf::message_id id) { return inner.get(id); }
#ifdef SIPSAF_CONTROL
  auto erase(sipsaf::message_id id) {
    return inner.erase(id);
  }
#endif
  auto find(sipsaf::message_key const& k) {
    return inner.find(k);
  }
  auto usage(std::string_view r) {
    return inner.usage(r);
  }
  auto list(std::string_view r, sipsaf::delivery_mode m, std::size_t n) {
    return inner.list(r, m, n);
  }
  auto reschedule(sipsaf::message_id id, std::optional<sipsaf::timestamp> t, std::uint32_t a) {
    return inner.reschedule(id, t, a);
  }
  auto due(sipsaf::timestamp t, std::size_t n) {
    return inner.due(t, n);
  }
  auto expired(sipsaf::timestamp t, std::size_t n) {
    return inner.expired(t, n);
  }
  auto next_due() {
    return inner.next_due();
  }
};

int main() {
  store_without_erase store;
  sipsaf::static_directory directory;
  sipsaf::manual_clock clock;
  sipsaf::store_forward_engine<store_without_erase&, sipsaf::static_directory&,
                               sipsaf::manual_clock&>
      engine(store, directory, clock);
  (void)engine;
}
