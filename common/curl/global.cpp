#include "common/curl/global.h"

#include <curl/curl.h>

#include <csignal>
#include <mutex>

namespace ct {

void EnsureCurlGlobal() {
  static std::once_flag once;
  std::call_once(once, [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    std::signal(SIGPIPE, SIG_IGN);
  });
}

}  // namespace ct
