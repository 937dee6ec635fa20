#include "tools/probes.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <mutex>

#include "common/curl/global.h"

namespace ct::tools {
namespace {

// Closes a file descriptor at scope exit.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

std::string Errno(int e) { return std::strerror(e); }

size_t OnHeader(char* data, size_t size, size_t n, void* out) {
  const std::string_view line(data, size * n);
  if (line.size() > 5 && strncasecmp(line.data(), "date:", 5) == 0) {
    std::string value(line.substr(5));
    value.erase(0, value.find_first_not_of(' '));
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    *static_cast<std::optional<std::string>*>(out) = value;
  }
  return size * n;
}

size_t Discard(char*, size_t size, size_t n, void*) { return size * n; }

struct Ipc {
  std::string path;
};
struct Tcp {
  std::string host;  // "*" or "" for any
  std::string port;  // "*" for ephemeral
};

std::optional<Tcp> ParseTcp(const std::string& endpoint) {
  if (endpoint.rfind("tcp://", 0) != 0) return std::nullopt;
  const std::string rest = endpoint.substr(6);
  const size_t colon = rest.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  Tcp t{rest.substr(0, colon), rest.substr(colon + 1)};
  if (t.host.size() > 2 && t.host.front() == '[' && t.host.back() == ']') t.host = t.host.substr(1, t.host.size() - 2);
  return t;
}

// A Unix socket address for `path`, or why not.
Result<sockaddr_un, std::string> UnixAddress(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    return "path is " + std::to_string(path.size()) + " bytes, longer than a Unix socket allows (" +
           std::to_string(sizeof addr.sun_path - 1) + "): use a shorter ipc:// path";
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

bool UnixConnects(const sockaddr_un& addr) {
  Fd s(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  return s.fd >= 0 && connect(s.fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
}

// Resolves a tcp host to IPv4 addresses ("*" and "" are any).
Result<std::vector<sockaddr_in>, std::string> Resolve(const std::string& host, const std::string& port, bool for_bind) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  if (for_bind) hints.ai_flags = AI_PASSIVE;
  const bool any = host.empty() || host == "*";
  const std::string p = port == "*" ? "0" : port;
  addrinfo* res = nullptr;
  const int rc = getaddrinfo(any ? nullptr : host.c_str(), p.c_str(), &hints, &res);
  if (rc != 0) return "cannot resolve '" + host + "': " + gai_strerror(rc);
  std::vector<sockaddr_in> out;
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) out.push_back(*reinterpret_cast<sockaddr_in*>(a->ai_addr));
  freeaddrinfo(res);
  if (out.empty()) return "no IPv4 address for '" + host + "'";
  return out;
}

// Non-blocking connect bounded by `timeout`.
bool ConnectWithin(int fd, const sockaddr* addr, socklen_t len, std::chrono::milliseconds timeout, std::string* why) {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  if (connect(fd, addr, len) == 0) return true;
  if (errno != EINPROGRESS) {
    *why = Errno(errno);
    return false;
  }
  pollfd p{fd, POLLOUT, 0};
  if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0) {
    *why = "no answer within " + std::to_string(timeout.count()) + " ms";
    return false;
  }
  int err = 0;
  socklen_t l = sizeof err;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l);
  if (err != 0) *why = Errno(err);
  return err == 0;
}

std::string AddressText(const sockaddr_in& a) {
  char ip[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &a.sin_addr, ip, sizeof ip);
  return std::string(ip) + ":" + std::to_string(ntohs(a.sin_port));
}

std::string IpcPath(const std::string& raw_path, const std::string& base_dir) {
  std::filesystem::path p(raw_path);
  if (p.is_relative() && !base_dir.empty()) p = std::filesystem::path(base_dir) / p;
  return std::filesystem::absolute(p).lexically_normal().string();
}

EndpointProbe ProbeBindIpc(const std::string& raw_path, const std::string& base_dir) {
  const std::string path = IpcPath(raw_path, base_dir);
  auto addr = UnixAddress(path);
  if (!addr.ok()) return {EndpointState::kFailed, addr.error()};
  struct stat st {};
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) return {EndpointState::kFailed, path + " exists and is not a socket"};
    if (UnixConnects(*addr)) return {EndpointState::kInUseRunning, path + " in use (running)"};
    return {EndpointState::kBindable, path + " can be bound (a stale socket file is there; binding replaces it)"};
  }
  // The processes create missing folders: the nearest existing one must be
  // a folder they can write.
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  bool missing = false;
  std::error_code ec;
  while (!dir.empty() && !std::filesystem::exists(dir, ec)) {
    dir = dir.parent_path();
    missing = true;
  }
  if (!std::filesystem::is_directory(dir, ec)) return {EndpointState::kFailed, dir.string() + " is not a folder"};
  if (access(dir.c_str(), W_OK | X_OK) != 0) return {EndpointState::kFailed, dir.string() + ": " + Errno(errno)};
  if (missing) return {EndpointState::kBindable, path + " can be bound (its folder will be created)"};
  Fd s(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (bind(s.fd, reinterpret_cast<const sockaddr*>(&*addr), sizeof *addr) != 0)
    return {EndpointState::kFailed, path + ": " + Errno(errno)};
  unlink(path.c_str());
  return {EndpointState::kBindable, path + " can be bound"};
}

EndpointProbe ProbeBindTcp(const std::string& endpoint, const Tcp& tcp) {
  auto addrs = Resolve(tcp.host, tcp.port, true);
  if (!addrs.ok()) return {EndpointState::kFailed, addrs.error()};
  sockaddr_in a = addrs->front();
  Fd s(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  const int one = 1;
  setsockopt(s.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // as ZeroMQ binds
  if (bind(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && listen(s.fd, 1) == 0)
    return {EndpointState::kBindable, endpoint + " can be bound"};
  const int e = errno;
  if (e == EADDRINUSE) {
    sockaddr_in peer = a;
    if (peer.sin_addr.s_addr == htonl(INADDR_ANY)) peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    Fd c(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    std::string why;
    if (ConnectWithin(c.fd, reinterpret_cast<sockaddr*>(&peer), sizeof peer, std::chrono::milliseconds(1000), &why))
      return {EndpointState::kInUseRunning, endpoint + " in use (running)"};
    return {EndpointState::kFailed, endpoint + ": port in use and not answering (" + why + ")"};
  }
  if (e == EADDRNOTAVAIL) return {EndpointState::kFailed, endpoint + ": " + tcp.host + " is not an address of this host"};
  return {EndpointState::kFailed, endpoint + ": " + Errno(e)};
}

}  // namespace

std::optional<int64_t> ParseHttpDate(std::string_view text) {
  std::tm tm{};
  const std::string s(text);
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr) return std::nullopt;
  return static_cast<int64_t>(timegm(&tm));
}

std::optional<ClockSkew> EstimateSkew(const std::vector<DateSample>& samples) {
  if (samples.empty()) return std::nullopt;
  double lo = -1e18, hi = 1e18;
  for (const auto& s : samples) {
    const double date = static_cast<double>(s.date_s);
    lo = std::max(lo, static_cast<double>(s.sent_ns) / 1e9 - (date + 1.0));
    hi = std::min(hi, static_cast<double>(s.received_ns) / 1e9 - date);
  }
  if (lo > hi) {  // inconsistent (the broker's clock stepped): the widest honest answer
    std::swap(lo, hi);
  }
  return ClockSkew{(lo + hi) / 2, (hi - lo) / 2};
}

Result<ClockSkew, std::string> MeasureClockSkew(const std::string& url, long timeout_ms, const Clock& clock,
                                                const Sleeper& sleep, int max_requests) {
  EnsureCurlGlobal();
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return std::string("curl: cannot create a handle");
  std::optional<std::string> date;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &date);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
  std::vector<DateSample> samples;
  std::string problem;
  for (int i = 0; i < max_requests; ++i) {
    date.reset();
    const int64_t start = clock.wall_ns();
    const CURLcode rc = curl_easy_perform(curl);
    const int64_t end = clock.wall_ns();
    if (rc != CURLE_OK) {
      problem = std::string("cannot reach the broker: ") + curl_easy_strerror(rc);
      break;
    }
    if (!date) {
      problem = "the broker's reply has no Date header";
      break;
    }
    const auto date_s = ParseHttpDate(*date);
    if (!date_s) {
      problem = "the broker's Date header is not an HTTP date";
      break;
    }
    // The Date was stamped between the request leaving and the reply's
    // first byte: narrow [start, end] to that with curl's timings.
    curl_off_t pre_us = 0, first_us = 0;
    curl_easy_getinfo(curl, CURLINFO_PRETRANSFER_TIME_T, &pre_us);
    curl_easy_getinfo(curl, CURLINFO_STARTTRANSFER_TIME_T, &first_us);
    DateSample s{start + pre_us * 1000, start + first_us * 1000, *date_s};
    if (s.received_ns <= s.sent_ns || s.received_ns > end) s = {start, end, *date_s};
    samples.push_back(s);
    const auto estimate = EstimateSkew(samples);
    if (estimate->uncertainty_s <= 0.15) break;
    // Sample across the broker's next second boundary.
    if (i + 1 < max_requests) sleep(std::chrono::milliseconds(100));
  }
  curl_easy_cleanup(curl);
  if (samples.empty()) return problem;
  return *EstimateSkew(samples);
}

LocalAddress FindLocalAddress(const std::string& ipv4) {
  LocalAddress out;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  if (inet_pton(AF_INET, ipv4.c_str(), &a.sin_addr) != 1) {
    out.problem = "'" + ipv4 + "' is not an IPv4 address";
    return out;
  }
  Fd s(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (bind(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    out.problem = ipv4 + " is not an address of this host (" + Errno(errno) + ")";
    return out;
  }
  out.exists = true;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) == 0) {
    for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
      if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
      const auto* in = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
      if (in->sin_addr.s_addr == a.sin_addr.s_addr) {
        out.interface_name = i->ifa_name;
        break;
      }
    }
    freeifaddrs(list);
  }
  return out;
}

EndpointProbe ProbeBind(const std::string& endpoint, const std::string& base_dir) {
  if (endpoint.rfind("inproc://", 0) == 0) return {EndpointState::kBindable, endpoint + " is in-process"};
  if (endpoint.rfind("ipc://", 0) == 0) return ProbeBindIpc(endpoint.substr(6), base_dir);
  if (auto tcp = ParseTcp(endpoint)) return ProbeBindTcp(endpoint, *tcp);
  return {EndpointState::kFailed, "'" + endpoint + "' is not an ipc://, tcp:// or inproc:// endpoint"};
}

EndpointProbe ProbeConnect(const std::string& endpoint, std::chrono::milliseconds timeout,
                           const std::string& base_dir) {
  if (endpoint.rfind("ipc://", 0) == 0) {
    const std::string path = IpcPath(endpoint.substr(6), base_dir);
    auto addr = UnixAddress(path);
    if (!addr.ok()) return {EndpointState::kFailed, addr.error()};
    if (UnixConnects(*addr)) return {EndpointState::kInUseRunning, endpoint + " answers"};
    return {EndpointState::kFailed, endpoint + ": " + Errno(errno)};
  }
  auto tcp = ParseTcp(endpoint);
  if (!tcp) return {EndpointState::kFailed, "'" + endpoint + "' cannot be reached by a plain connect"};
  auto addrs = Resolve(tcp->host, tcp->port, false);
  if (!addrs.ok()) return {EndpointState::kFailed, addrs.error()};
  std::string why;
  for (const auto& a : *addrs) {
    Fd c(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (ConnectWithin(c.fd, reinterpret_cast<const sockaddr*>(&a), sizeof a, timeout, &why))
      return {EndpointState::kInUseRunning, endpoint + " answers (" + AddressText(a) + ")"};
  }
  return {EndpointState::kFailed, endpoint + ": " + why};
}

}  // namespace ct::tools
