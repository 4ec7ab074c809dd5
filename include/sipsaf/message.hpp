// sipsaf: SIP store-and-forward messaging, header-only.
// Distributed under the Boost Software License, Version 1.0.
#ifndef SIPSAF_MESSAGE_HPP
#define SIPSAF_MESSAGE_HPP

// Umbrella header for include/sipsaf/message/.

#endif
