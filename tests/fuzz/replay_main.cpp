// Replays a fuzz corpus through LLVMFuzzerTestOneInput without libFuzzer, so
// the corpus runs as an ordinary test under any compiler and sanitizer.
// Usage: replay_<name> PATH...  (files, or folders of files)
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size);

namespace {
auto replay_file(std::filesystem::path const& p) -> bool {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // A heap copy of exactly the file's size, so that ASan sees reads past the end.
  std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
  LLVMFuzzerTestOneInput(data.data(), data.size());
  return true;
}
}  // namespace

int main(int argc, char** argv) {
  std::size_t count = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path const arg(argv[i]);
    if (std::filesystem::is_directory(arg)) {
      for (auto const& entry : std::filesystem::recursive_directory_iterator(arg))
        if (entry.is_regular_file() && replay_file(entry.path())) ++count;
    } else if (replay_file(arg)) {
      ++count;
    } else {
      std::fprintf(stderr, "cannot read %s\n", argv[i]);
      return 2;
    }
  }
  // An empty corpus proves nothing: fail so that a missing seeds folder shows.
  if (count == 0) {
    std::fprintf(stderr, "no inputs replayed\n");
    return 1;
  }
  std::printf("replayed %zu inputs\n", count);
  return 0;
}
