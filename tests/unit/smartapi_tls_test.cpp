// CurlTransport over TLS against a loopback OpenSSL server with a
// certificate made at test time: verification is on (an untrusted or
// misnamed certificate is refused, and was not delivered), a trusted one
// works, and servers below TLS 1.2 are refused.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

#include "common/smartapi/transport.h"

namespace ct::smartapi {
namespace {

struct TestCertificate {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  std::string pem_path;

  explicit TestCertificate(const std::string& subject_alt_name) {
    key = EVP_EC_gen("P-256");
    cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("copytrade test"), -1,
                               -1, 0);
    X509_set_issuer_name(cert, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    for (const auto& [nid, value] : {std::pair<int, std::string>{NID_subject_alt_name, subject_alt_name},
                                     {NID_basic_constraints, "critical,CA:TRUE"}}) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
      X509_add_ext(cert, ext, -1);
      X509_EXTENSION_free(ext);
    }
    X509_sign(cert, key, EVP_sha256());

    char pattern[] = "/tmp/ct-smartapi-tls-XXXXXX";
    const int fd = mkstemp(pattern);
    pem_path = pattern;
    FILE* f = fdopen(fd, "w");
    PEM_write_X509(f, cert);
    fclose(f);
  }
  ~TestCertificate() {
    X509_free(cert);
    EVP_PKEY_free(key);
    std::filesystem::remove(pem_path);
  }
  TestCertificate(const TestCertificate&) = delete;
  TestCertificate& operator=(const TestCertificate&) = delete;
};

// Accepts TLS connections and answers every request with a fixed JSON reply.
class TlsServer {
 public:
  TlsServer(const TestCertificate& certificate, int max_version = 0) {
    std::signal(SIGPIPE, SIG_IGN);  // a client that refuses us may reset mid-write
    ctx_ = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(ctx_, certificate.cert);
    SSL_CTX_use_PrivateKey(ctx_, certificate.key);
    if (max_version != 0) {
      SSL_CTX_set_security_level(ctx_, 0);
      SSL_CTX_set_min_proto_version(ctx_, TLS1_VERSION);
      SSL_CTX_set_max_proto_version(ctx_, max_version);
    }
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) std::abort();
    if (listen(listen_fd_, 8) != 0) std::abort();
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Run(); });
  }
  ~TlsServer() {
    stop_ = true;
    thread_.join();
    close(listen_fd_);
    SSL_CTX_free(ctx_);
  }
  TlsServer(const TlsServer&) = delete;
  TlsServer& operator=(const TlsServer&) = delete;

  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  int requests_served() const { return served_; }

 private:
  void Run() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0) continue;
      const int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      SSL* ssl = SSL_new(ctx_);
      SSL_set_fd(ssl, fd);
      if (SSL_accept(ssl) == 1) Serve(ssl);
      SSL_free(ssl);
      close(fd);
      ERR_clear_error();
    }
  }
  void Serve(SSL* ssl) {
    std::string buffer;
    char chunk[4096];
    while (buffer.find("\r\n\r\n") == std::string::npos) {
      const int n = SSL_read(ssl, chunk, sizeof chunk);
      if (n <= 0) return;
      buffer.append(chunk, static_cast<size_t>(n));
    }
    const std::string body = R"({"status":true,"message":"SUCCESS","errorcode":"","data":null})";
    const std::string reply =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
        "Content-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    SSL_write(ssl, reply.data(), static_cast<int>(reply.size()));
    ++served_;
    SSL_shutdown(ssl);
  }

  SSL_CTX* ctx_ = nullptr;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> served_{0};
  std::thread thread_;
};

HttpRequest Get() {
  HttpRequest r;
  r.method = "GET";
  r.path = "/rest/secure/angelbroking/user/v1/getProfile";
  r.headers = {{"Authorization", "Bearer secret-jwt"}};
  return r;
}

CurlOptions Options(const std::string& url, const std::string& ca_file) {
  CurlOptions options;
  options.base_url = url;
  options.ca_file = ca_file;
  options.timeout_ms = 3000;
  return options;
}

TEST(CurlTlsTest, TrustedCertificateWithMatchingAddressWorks) {
  TestCertificate cert("IP:127.0.0.1");
  TlsServer server(cert);
  auto reply = MakeCurlTransport(Options(server.url(), cert.pem_path))->Send(Get());
  ASSERT_TRUE(reply.ok()) << reply.error().message;
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(server.requests_served(), 1);
}

TEST(CurlTlsTest, UntrustedCertificateIsRefusedBeforeSending) {
  TestCertificate cert("IP:127.0.0.1");
  TlsServer server(cert);
  auto reply = MakeCurlTransport(Options(server.url(), ""))->Send(Get());  // system CAs only
  ASSERT_FALSE(reply.ok());
  EXPECT_FALSE(reply.error().maybe_delivered);
  EXPECT_EQ(server.requests_served(), 0);
  EXPECT_EQ(reply.error().message.find("secret-jwt"), std::string::npos);
}

TEST(CurlTlsTest, CertificateForAnotherHostIsRefused) {
  TestCertificate cert("DNS:apiconnect.example.invalid");
  TlsServer server(cert);
  auto reply = MakeCurlTransport(Options(server.url(), cert.pem_path))->Send(Get());
  ASSERT_FALSE(reply.ok());
  EXPECT_FALSE(reply.error().maybe_delivered);
  EXPECT_EQ(server.requests_served(), 0);
}

TEST(CurlTlsTest, ServerBelowTls12IsRefused) {
  TestCertificate cert("IP:127.0.0.1");
  TlsServer server(cert, TLS1_1_VERSION);
  auto reply = MakeCurlTransport(Options(server.url(), cert.pem_path))->Send(Get());
  ASSERT_FALSE(reply.ok());
  EXPECT_FALSE(reply.error().maybe_delivered);
  EXPECT_EQ(server.requests_served(), 0);
}

}  // namespace
}  // namespace ct::smartapi
