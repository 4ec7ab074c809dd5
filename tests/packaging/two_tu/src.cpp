// The program's one translation unit that compiles sipsaf's definitions.
#include <sipsaf/src.hpp>
