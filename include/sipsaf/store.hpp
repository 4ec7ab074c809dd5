// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_STORE_HPP
#define SIPSAF_STORE_HPP

// Umbrella header for include/sipsaf/store/.

#endif
