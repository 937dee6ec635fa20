#include "common/startup/broker_client.h"

namespace ct::startup {

std::unique_ptr<smartapi::Client> MakeBrokerClient(const config::Account& account, const config::BrokerSettings& broker,
                                                   const Clock& clock, const std::string& source_address) {
  const auto& c = account.credentials;
  smartapi::CurlOptions options;
  options.base_url = broker.rest_url;
  options.timeout_ms = static_cast<long>(broker.timeout_ms);
  options.source_address = source_address;
  smartapi::ClientOptions client_options;
  if (!source_address.empty()) {
    smartapi::ClientIdentity identity = smartapi::DetectIdentity();
    identity.local_ip = source_address;
    identity.public_ip = source_address;
    client_options.identity = identity;
  }
  return std::make_unique<smartapi::Client>(
      smartapi::LoginCredentials{c.api_key, c.client_id, c.password, c.totp_secret},
      smartapi::MakeCurlTransport(options), clock, client_options);
}

}  // namespace ct::startup
