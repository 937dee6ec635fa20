// libcurl's process-wide set-up, done once whoever calls first: every
// libcurl user in copytrade (the SmartAPI transport, the instrument
// download, alerts, the validator's probes) calls EnsureCurlGlobal() before
// its first handle.
//
// With CURLOPT_NOSIGNAL (needed in threaded processes) libcurl no longer
// shields its TLS writes from SIGPIPE, and OpenSSL writing to a socket the
// peer reset raises it: SIGPIPE is ignored process-wide, so a dropped
// connection becomes an error, not the end of the process. Thread-safe.
#pragma once

namespace ct {

void EnsureCurlGlobal();

}  // namespace ct
