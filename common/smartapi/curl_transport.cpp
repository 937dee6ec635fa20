// CurlTransport: HttpTransport over one libcurl easy handle. The handle
// keeps its connection cache between calls, so consecutive requests reuse
// one TCP/TLS connection (keep-alive).
#include <curl/curl.h>

#include <algorithm>
#include <cstring>

#include "common/curl/global.h"
#include "common/log/log.h"
#include "common/smartapi/transport.h"

namespace ct::smartapi {
namespace {

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// Request body source for requests that must not be re-sent: curl can read
// it once, and any attempt to rewind it (which curl makes only to re-send
// on a fresh connection) fails, turning a silent duplicate into an error.
struct OneShotBody {
  std::string_view data;
  size_t offset = 0;
};

size_t ReadOnce(char* buffer, size_t size, size_t count, void* user) {
  auto* body = static_cast<OneShotBody*>(user);
  const size_t n = std::min(size * count, body->data.size() - body->offset);
  std::memcpy(buffer, body->data.data() + body->offset, n);
  body->offset += n;
  return n;
}

int RefuseSeek(void* /*user*/, curl_off_t /*offset*/, int /*origin*/) { return CURL_SEEKFUNC_FAIL; }

// Failures where the request surely never left this host.
bool NeverSent(CURLcode code) {
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_FAILED_INIT:
    case CURLE_URL_MALFORMAT:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_INTERFACE_FAILED:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_OUT_OF_MEMORY:
      return true;
    default:
      return false;
  }
}

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(CurlOptions options) : options_(std::move(options)) {
    EnsureCurlGlobal();
    while (!options_.base_url.empty() && options_.base_url.back() == '/') {
      options_.base_url.pop_back();
    }
    curl_ = curl_easy_init();
    if (curl_ == nullptr) std::abort();  // out of memory at start-up
  }
  ~CurlTransport() override { curl_easy_cleanup(curl_); }
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  ct::Result<HttpResponse, TransportError> Send(const HttpRequest& request) override {
    // Options are set afresh on every call; curl_easy_reset would keep the
    // connection cache too, but setting them explicitly keeps GET after POST
    // correct without relying on that.
    CURL* c = curl_;
    const std::string url = options_.base_url + request.path;
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, options_.timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, std::min(options_.connect_timeout_ms, options_.timeout_ms));
    curl_easy_setopt(c, CURLOPT_MAXAGE_CONN, options_.max_idle_reuse_s);
    curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
    if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
    // "host!" makes curl bind to this address, never an interface name.
    const std::string interface = options_.source_address.empty() ? "" : "host!" + options_.source_address;
    curl_easy_setopt(c, CURLOPT_INTERFACE, interface.empty() ? nullptr : interface.c_str());

    curl_slist* headers = nullptr;
    for (const auto& [name, value] : request.headers) {
      std::string line = name;
      line.append(": ").append(value);
      headers = curl_slist_append(headers, line.c_str());
    }
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);

    OneShotBody one_shot{request.body, 0};
    if (request.method == "GET") {
      curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
      curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, nullptr);
    } else {
      curl_easy_setopt(c, CURLOPT_POST, 1L);
      curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method == "POST" ? nullptr : request.method.c_str());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      if (request.may_resend) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.c_str());
      } else {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, nullptr);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, ReadOnce);
        curl_easy_setopt(c, CURLOPT_READDATA, &one_shot);
        curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, RefuseSeek);
        curl_easy_setopt(c, CURLOPT_SEEKDATA, &one_shot);
      }
    }

    HttpResponse response;
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, AppendBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
    char error_buffer[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);

    const CURLcode code = curl_easy_perform(c);

    curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
    curl_slist_free_all(headers);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
    // Drop pointers to this call's stack before returning.
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, nullptr);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, nullptr);
    curl_easy_setopt(c, CURLOPT_READDATA, nullptr);
    curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, nullptr);
    curl_easy_setopt(c, CURLOPT_SEEKDATA, nullptr);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, nullptr);

    if (code != CURLE_OK) return Failure(code, error_buffer);

    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    const char* content_type = nullptr;
    if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &content_type) == CURLE_OK && content_type != nullptr) {
      response.content_type = content_type;
    }
    return response;
  }

 private:
  TransportError Failure(CURLcode code, const char* detail) {
    TransportError error;
    error.maybe_delivered = !NeverSent(code);
    if (code == CURLE_OPERATION_TIMEDOUT) {
      // A timeout before the request went out (resolving or connecting) is
      // safe; once curl reached "pre-transfer" the request may be out.
      curl_off_t pretransfer_us = 0;
      curl_easy_getinfo(curl_, CURLINFO_PRETRANSFER_TIME_T, &pretransfer_us);
      long request_bytes = 0;
      curl_easy_getinfo(curl_, CURLINFO_REQUEST_SIZE, &request_bytes);
      error.maybe_delivered = pretransfer_us > 0 || request_bytes > 0;
    }
    // The error buffer names host and port, never headers or bodies; masked
    // anyway in case a URL ever carries a token.
    error.message = std::string("curl: ") + curl_easy_strerror(code);
    if (detail != nullptr && detail[0] != '\0') error.message += std::string(" (") + detail + ")";
    error.message = log::Mask(error.message);
    return error;
  }

  CurlOptions options_;
  CURL* curl_ = nullptr;
};

}  // namespace

std::unique_ptr<HttpTransport> MakeCurlTransport(const CurlOptions& options) {
  return std::make_unique<CurlTransport>(options);
}

}  // namespace ct::smartapi
