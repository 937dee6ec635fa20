#include "common/bus/curve.h"

#include <atomic>
#include <fstream>
#include <sstream>
#include <vector>

#include "common/bus/stream.h"
#include "common/log/log.h"

namespace ct::bus {
namespace {

constexpr size_t kZ85KeyLength = 40;
constexpr const char* kZapDomain = "copytrade";
std::atomic<int> g_authenticators{0};

std::string Trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

bool ValidZ85Key(const std::string& key) {
  if (key.size() != kZ85KeyLength) return false;
  uint8_t bin[32];
  return zmq_z85_decode(bin, key.c_str()) != nullptr;
}

}  // namespace

Result<std::string, KeyFileError> ReadCurveKey(const std::string& path) {
  std::ifstream in(path);
  if (!in) return KeyFileError{path + ": cannot be read (missing or no permission)"};
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string key = Trim(ss.str());
  if (!ValidZ85Key(key)) return KeyFileError{path + ": not a CURVE key (expected 40 Z85 characters)"};
  return key;
}

Result<std::set<std::string>, KeyFileError> ReadCurveAllowList(const std::string& path) {
  std::ifstream in(path);
  if (!in) return KeyFileError{path + ": cannot be read (missing or no permission)"};
  std::set<std::string> keys;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    // '#' is also a Z85 character: only a line that starts with it is a
    // comment.
    line = Trim(line);
    if (line.empty() || (line[0] == '#' && !ValidZ85Key(line))) continue;
    if (!ValidZ85Key(line)) return KeyFileError{path + ": line " + std::to_string(n) + ": not a CURVE public key"};
    keys.insert(line);
  }
  return keys;
}

std::pair<std::string, std::string> NewCurveKeyPair() {
  char pub[kZ85KeyLength + 1], sec[kZ85KeyLength + 1];
  if (zmq_curve_keypair(pub, sec) != 0) std::abort();  // libzmq built without CURVE: cannot happen on Debian
  return {pub, sec};
}

void ApplyCurveServer(zmq::socket_t& s, const CurveServerKeys& keys) {
  s.set(zmq::sockopt::curve_server, 1);
  s.set(zmq::sockopt::curve_secretkey, keys.secret_key);
  s.set(zmq::sockopt::curve_publickey, keys.public_key);
  s.set(zmq::sockopt::zap_domain, kZapDomain);
  // Without a ZAP handler libzmq 4.3 admits every client (ZAP_ENFORCE_DOMAIN
  // is a draft option Debian's build lacks): a server without one is a
  // wiring bug, not a configuration to run with.
  if (g_authenticators.load() == 0) {
    log::Get("bus")->critical("CURVE server socket without a ZapAuthenticator: refusing to run open");
    std::abort();
  }
}

void ApplyCurveClient(zmq::socket_t& s, const CurveClientKeys& keys) {
  s.set(zmq::sockopt::curve_serverkey, keys.server_public_key);
  s.set(zmq::sockopt::curve_publickey, keys.public_key);
  s.set(zmq::sockopt::curve_secretkey, keys.secret_key);
}

ZapAuthenticator::ZapAuthenticator(zmq::context_t& ctx, Loop& loop, std::set<std::string> allowed_clients)
    : rep_(ctx, zmq::socket_type::rep), allowed_clients_(std::move(allowed_clients)) {
  rep_.set(zmq::sockopt::linger, 0);
  rep_.bind("inproc://zeromq.zap.01");
  loop.AddSocket(rep_, [this] { OnRequest(); });
  ++g_authenticators;
}

ZapAuthenticator::~ZapAuthenticator() { --g_authenticators; }

// ZAP (RFC 27): request [version, id, domain, address, identity, mechanism,
// credentials...]; reply [version, id, status, text, user id, metadata].
void ZapAuthenticator::OnRequest() {
  std::vector<zmq::message_t> frames;
  while (ReceiveMultipart(rep_, frames)) {
    std::string status = "400", text = "malformed ZAP request", user;
    std::string version = frames.empty() ? "1.0" : frames[0].to_string();
    std::string id = frames.size() > 1 ? frames[1].to_string() : "";
    if (frames.size() >= 7 && frames[5].to_string() == "CURVE" && frames[6].size() == 32) {
      char z85[kZ85KeyLength + 1];
      zmq_z85_encode(z85, static_cast<const uint8_t*>(frames[6].data()), 32);
      const std::string client(z85);
      if (frames[2].to_string() == kZapDomain && allowed_clients_.count(client)) {
        status = "200";
        text = "OK";
        user = client;
        ++allowed_;
      } else {
        text = "client key not allowed";
        ++denied_;
        if (logged_denials_.insert(client).second)
          log::Get("bus")->warn("CURVE: refused client key {} from {} (not on the allow-list)", client,
                                frames[3].to_string());
      }
    } else {
      ++denied_;
    }
    const std::string reply[] = {version, id, status, text, user, ""};
    for (size_t i = 0; i < 6; ++i)
      (void)rep_.send(zmq::buffer(reply[i]), i + 1 < 6 ? zmq::send_flags::sndmore : zmq::send_flags::none);
  }
}

}  // namespace ct::bus
