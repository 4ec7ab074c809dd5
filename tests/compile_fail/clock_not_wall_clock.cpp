// A clock on the steady clock: Date and Expires count in wall-clock time,
// so the engine must refuse it by name.
#include <sipsaf/policy/engine.hpp>
#include <sipsaf/store/memory_store.hpp>
#include <sipsaf/testing/models.hpp>

#include <chrono>

#ifdef SIPSAF_CONTROL
using clock_type = std::chrono::system_clock;
#else
using clock_type = std::chrono::steady_clock;
#endif

int main() {
  sipsaf::memory_store store;
  sipsaf::static_directory directory;
  sipsaf::store_forward_engine<sipsaf::memory_store&, sipsaf::static_directory&, clock_type> engine(
      store, directory, clock_type{});
  (void)engine;
}
