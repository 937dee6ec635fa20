// The copytrade-watcher process once its configuration is loaded: logs in
// to the master account, chooses the baseline (Watcher::Begin), then
// publishes the "master" stream from the order-update feed and the order
// book poll until SIGINT/SIGTERM.
//
// Threads: the loop (bus sockets, the Watcher, the status file); the feed's
// own thread; the Poller's thread, which alone uses the SmartAPI client
// after start-up and hands the session's token to the feed
// (ClientMasterAccount). Each view is stamped on the thread that got it
// (push: received, poll: request sent) and posted to the loop.
#pragma once

#include "common/config/load.h"
#include "common/startup/bus_security.h"

namespace ct::watcher {

// Returns the exit code: 1 when the master cannot log in or its book cannot
// be read at start (supervisord retries; the log says why), 0 after a signal.
int RunWatcher(const config::Loaded& cfg, const startup::BusSecurity& security);

}  // namespace ct::watcher
