#include "common/bus/loop.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>

namespace ct::bus {
namespace {
Loop* g_signal_loop = nullptr;
void OnSignal(int) {
  if (g_signal_loop) g_signal_loop->Stop();
}
}  // namespace

Loop::Loop(const Clock& clock) : clock_(clock), timers_(clock) {
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) std::abort();
  AddFd(wake_fd_, [this] {
    uint64_t v;
    while (read(wake_fd_, &v, sizeof v) > 0) {
    }
    DrainPosted();
  });
}

Loop::~Loop() {
  if (g_signal_loop == this) g_signal_loop = nullptr;
  close(wake_fd_);
}

void Loop::AddSocket(zmq::socket_t& socket, Callback on_readable) {
  items_.push_back(zmq::pollitem_t{socket.handle(), 0, ZMQ_POLLIN, 0});
  handlers_.push_back(std::move(on_readable));
}

void Loop::AddFd(int fd, Callback on_readable) {
  items_.push_back(zmq::pollitem_t{nullptr, fd, ZMQ_POLLIN, 0});
  handlers_.push_back(std::move(on_readable));
}

void Loop::Post(Callback cb) {
  {
    std::lock_guard lock(posted_mu_);
    posted_.push_back(std::move(cb));
  }
  const uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof one);
}

void Loop::Stop() {
  stop_ = true;
  const uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof one);
}

void Loop::StopOnSignals() {
  g_signal_loop = this;
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

size_t Loop::RunPosted() {
  size_t ran = 0;
  while (true) {
    std::vector<Callback> work;
    {
      std::lock_guard lock(posted_mu_);
      work.swap(posted_);
    }
    if (work.empty()) return ran;
    auto run = [&work] {
      for (auto& cb : work) cb();
    };
    if (wrap_) wrap_(run);
    else run();
    ran += work.size();
  }
}

void Loop::DrainPosted() {
  std::vector<Callback> work;
  {
    std::lock_guard lock(posted_mu_);
    work.swap(posted_);
  }
  if (work.empty()) return;
  auto run = [&work] {
    for (auto& cb : work) cb();
  };
  if (wrap_) wrap_(run);
  else run();
}

void Loop::Run() {
  while (!stop_) {
    long timeout_ms = -1;
    if (const auto next = timers_.NextDue()) {
      const auto wait = std::chrono::ceil<std::chrono::milliseconds>(*next - clock_.steady());
      timeout_ms = std::max<long>(0, static_cast<long>(wait.count()));
    }
    try {
      zmq::poll(items_.data(), items_.size(), std::chrono::milliseconds(timeout_ms));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      throw;
    }
    // Handlers may register more sockets; iterate over a snapshot size.
    const size_t n = items_.size();
    for (size_t i = 0; i < n && !stop_; ++i) {
      if (items_[i].revents & ZMQ_POLLIN) handlers_[i]();
    }
    if (!stop_) timers_.RunDue();
  }
}

}  // namespace ct::bus
