// CURVE encryption and client authentication for bus links that leave the
// host (tcp:// across machines). Keys are Z85 text (40 characters), one per
// file; the allow-list file holds one client public key per line (a line
// starting with '#' that is not a valid key is a comment: '#' is
// itself a Z85 character).
//
// A server (PUB, replay ROUTER, report PULL) encrypts with its key pair and
// admits only clients whose public key is on the allow-list: the
// ZapAuthenticator answers libzmq's ZAP requests for the whole context, and
// every server socket enforces the ZAP domain, so with no authenticator
// running nobody gets in (fail closed). A client (SUB, DEALER, PUSH) needs
// its own key pair and the server's public key.
//
// ZapAuthenticator lives on the process Loop's thread (its REP socket is
// registered there); create at most one per zmq::context_t.
#pragma once

#include <zmq.hpp>

#include <cstdint>
#include <set>
#include <string>

#include "common/bus/loop.h"
#include "common/core/result.h"

namespace ct::bus {

struct CurveServerKeys {
  std::string public_key;  // Z85
  std::string secret_key;  // Z85
};

struct CurveClientKeys {
  std::string public_key;
  std::string secret_key;
  std::string server_public_key;
};

struct KeyFileError {
  std::string message;  // names the file and the problem
};

// Reads one Z85 key (surrounding whitespace ignored).
Result<std::string, KeyFileError> ReadCurveKey(const std::string& path);
// Reads an allow-list of client public keys.
Result<std::set<std::string>, KeyFileError> ReadCurveAllowList(const std::string& path);
// A fresh key pair (public, secret), Z85.
std::pair<std::string, std::string> NewCurveKeyPair();

// Call before bind / connect. A server socket needs the process's
// ZapAuthenticator to exist first (else it aborts: libzmq would admit every
// client when no ZAP handler runs).
void ApplyCurveServer(zmq::socket_t& socket, const CurveServerKeys& keys);
void ApplyCurveClient(zmq::socket_t& socket, const CurveClientKeys& keys);

class ZapAuthenticator {
 public:
  ZapAuthenticator(zmq::context_t& ctx, Loop& loop, std::set<std::string> allowed_clients);
  ~ZapAuthenticator();
  ZapAuthenticator(const ZapAuthenticator&) = delete;
  ZapAuthenticator& operator=(const ZapAuthenticator&) = delete;
  uint64_t allowed() const { return allowed_; }
  uint64_t denied() const { return denied_; }

 private:
  void OnRequest();
  zmq::socket_t rep_;
  std::set<std::string> allowed_clients_;
  std::set<std::string> logged_denials_;
  uint64_t allowed_ = 0, denied_ = 0;
};

}  // namespace ct::bus
