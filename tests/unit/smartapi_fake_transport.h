// FakeTransport: an HttpTransport for unit tests. Replies are queued in
// order; every request is recorded. No network.
#pragma once

#include <deque>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/smartapi/transport.h"

namespace ct::smartapi::testing {

class FakeTransport final : public HttpTransport {
 public:
  struct State {
    std::deque<std::variant<HttpResponse, TransportError>> replies;
    std::vector<HttpRequest> requests;
  };

  explicit FakeTransport(State* state) : state_(state) {}

  ct::Result<HttpResponse, TransportError> Send(const HttpRequest& request) override {
    state_->requests.push_back(request);
    if (state_->replies.empty()) return TransportError{false, "fake: no reply queued"};
    auto reply = std::move(state_->replies.front());
    state_->replies.pop_front();
    if (auto* r = std::get_if<HttpResponse>(&reply)) return *r;
    return std::get<TransportError>(reply);
  }

 private:
  State* state_;  // owned by the test, outlives the transport
};

inline HttpResponse Json(int status, std::string body) {
  return HttpResponse{status, "application/json", std::move(body)};
}

inline HttpResponse Ok(const std::string& data_json) {
  return Json(200, R"({"status":true,"message":"SUCCESS","errorcode":"","data":)" + data_json + "}");
}

}  // namespace ct::smartapi::testing
