#include "common/startup/broker_client.h"

namespace ct::startup {

std::unique_ptr<smartapi::Client> MakeBrokerClient(const config::Account& account, const config::BrokerSettings& broker,
                                                   const Clock& clock) {
  const auto& c = account.credentials;
  smartapi::CurlOptions options;
  options.base_url = broker.rest_url;
  options.timeout_ms = static_cast<long>(broker.timeout_ms);
  return std::make_unique<smartapi::Client>(
      smartapi::LoginCredentials{c.api_key, c.client_id, c.password, c.totp_secret},
      smartapi::MakeCurlTransport(options), clock);
}

}  // namespace ct::startup
