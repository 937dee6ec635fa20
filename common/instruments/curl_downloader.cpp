// CurlDownloader: Downloader over libcurl, streaming the body to the file
// (the master is ~35 MB: it is never held in memory as text).
#include <curl/curl.h>

#include <cstdio>
#include <cstring>

#include "common/curl/global.h"
#include "common/instruments/daily_copy.h"

namespace ct::instruments {
namespace {

struct Sink {
  std::FILE* file = nullptr;
  bool write_failed = false;
};

size_t Write(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const size_t n = std::fwrite(data, 1, size * count, sink->file);
  if (n != size * count) sink->write_failed = true;
  return n;  // short: curl aborts with CURLE_WRITE_ERROR
}

class CurlDownloader final : public Downloader {
 public:
  Result<Ok, std::string> Download(const std::string& url, const std::string& path,
                                   std::chrono::milliseconds timeout) override {
    EnsureCurlGlobal();
    Sink sink;
    sink.file = std::fopen(path.c_str(), "wb");
    if (!sink.file) return path + ": cannot create: " + std::strerror(errno);
    CURL* curl = curl_easy_init();
    if (!curl) {
      std::fclose(sink.file);
      return std::string("cannot start libcurl");
    }
    char error[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);  // 4xx/5xx: an error, not a body to parse
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min<int64_t>(timeout.count(), 15'000)));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // the JSON compresses ~10x
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "copytrade/" COPYTRADE_VERSION);
    const CURLcode code = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(curl);
    const bool close_failed = std::fclose(sink.file) != 0;

    if (sink.write_failed || (code == CURLE_OK && close_failed)) return "GET " + url + ": cannot write " + path;
    if (code != CURLE_OK) {
      std::string message = "GET " + url + ": " + (error[0] ? error : curl_easy_strerror(code));
      if (status != 0 && std::strstr(error, std::to_string(status).c_str()) == nullptr)
        message += " (HTTP " + std::to_string(status) + ")";
      return message;
    }
    return Ok{};
  }
};

}  // namespace

std::unique_ptr<Downloader> MakeCurlDownloader() { return std::make_unique<CurlDownloader>(); }

}  // namespace ct::instruments
