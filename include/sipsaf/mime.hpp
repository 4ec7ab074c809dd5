// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MIME_HPP
#define SIPSAF_MIME_HPP

// Umbrella header for include/sipsaf/mime/.

#endif
