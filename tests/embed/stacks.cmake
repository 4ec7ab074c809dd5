# embed.stacks: says whether every stack of the embedding examples was built.
#   -DPROGRAMS=<the stacks whose program exists, ';'-separated>
# Its output says "not installed" (ctest: skipped) when one is missing.
cmake_minimum_required(VERSION 3.18)
set(missing)
foreach(stack sofia-sip osip2)
  if(NOT stack IN_LIST PROGRAMS)
    list(APPEND missing ${stack})
  endif()
endforeach()
if(missing)
  message(FATAL_ERROR "${missing}: not installed (Debian: libsofia-sip-ua-dev, "
    "libosip2-dev); the embed.* cases ran without them")
endif()
message("sofia-sip and osip2 were built; the embed.* cases compare all three")
