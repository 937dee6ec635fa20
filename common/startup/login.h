// The login a process makes at start (watcher: the master; executor: its
// follower). A failure is logged and alerted: a `login_failed` alert through
// [alerts] (common/alerts: rate-limited, the text masked), delivered before
// this returns, because the caller exits next and supervisord restarts it
// (each restart's alert past the first in min_interval_s is suppressed).
#pragma once

#include <string>

#include "common/config/env_file.h"
#include "common/config/settings.h"
#include "common/smartapi/client.h"

namespace ct::startup {

// `process`: "watcher", "executor-2"; `who`: "master M100", "follower-2 (F102)".
smartapi::Result<smartapi::Session> LoginOrAlert(smartapi::Client& client, const config::Settings& settings,
                                                 const config::EnvFile& env, const std::string& process,
                                                 const std::string& who);

}  // namespace ct::startup
