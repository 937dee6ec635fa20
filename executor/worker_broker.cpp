#include "executor/worker_broker.h"

#include "common/log/log.h"

namespace ct::executor {

WorkerBroker::WorkerBroker(smartapi::Client& client, bus::Loop& loop, const Clock& clock)
    : client_(client), loop_(loop), clock_(clock) {
  token_ = client_.session().jwt_token;
  thread_ = std::thread([this] { Run(); });
}

WorkerBroker::~WorkerBroker() { Stop(); }

template <typename T, typename Call>
void WorkerBroker::Enqueue(bool write, smartapi::Endpoint endpoint, Call call, Done<T> done) {
  auto shared_done = std::make_shared<Done<T>>(std::move(done));
  Job job;
  job.write = write;
  job.endpoint = endpoint;
  job.run = [this, call = std::move(call), shared_done]() mutable {
    auto result = std::make_shared<smartapi::Result<T>>(call(client_));
    loop_.Post([shared_done, result] { (*shared_done)(std::move(*result)); });
  };
  job.not_sent = [this, shared_done] {
    loop_.Post([shared_done] {
      (*shared_done)(smartapi::Error{smartapi::ErrorKind::kTransport, "", "not sent: the executor is stopping", 0});
    });
  };
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      jobs_.push_back(std::move(job));
      cv_.notify_one();
      return;
    }
  }
  job.not_sent();
}

void WorkerBroker::PlaceOrder(const smartapi::OrderRequest& request, Done<smartapi::PlacedOrder> done) {
  Enqueue<smartapi::PlacedOrder>(
      true, smartapi::Endpoint::kOrderWrite, [request](smartapi::Client& c) { return c.PlaceOrder(request); },
      std::move(done));
}

void WorkerBroker::ModifyOrder(const smartapi::ModifyRequest& request, Done<smartapi::PlacedOrder> done) {
  Enqueue<smartapi::PlacedOrder>(
      true, smartapi::Endpoint::kOrderWrite, [request](smartapi::Client& c) { return c.ModifyOrder(request); },
      std::move(done));
}

void WorkerBroker::CancelOrder(const std::string& variety, const std::string& orderid,
                               Done<smartapi::PlacedOrder> done) {
  Enqueue<smartapi::PlacedOrder>(
      true, smartapi::Endpoint::kOrderWrite,
      [variety, orderid](smartapi::Client& c) { return c.CancelOrder(variety, orderid); }, std::move(done));
}

void WorkerBroker::GetOrderBook(Done<std::vector<smartapi::Order>> done) {
  Enqueue<std::vector<smartapi::Order>>(
      false, smartapi::Endpoint::kGetOrderBook, [](smartapi::Client& c) { return c.GetOrderBook(); },
      std::move(done));
}

void WorkerBroker::GetOrderDetails(const std::string& uniqueorderid, Done<smartapi::Order> done) {
  Enqueue<smartapi::Order>(
      false, smartapi::Endpoint::kOrderDetails,
      [uniqueorderid](smartapi::Client& c) { return c.GetOrderDetails(uniqueorderid); }, std::move(done));
}

void WorkerBroker::GetLtp(const std::string& exchange, const std::string& tradingsymbol,
                          const std::string& symboltoken, Done<smartapi::Ltp> done) {
  Enqueue<smartapi::Ltp>(
      false, smartapi::Endpoint::kGetLtpData,
      [exchange, tradingsymbol, symboltoken](smartapi::Client& c) {
        return c.GetLtpData(exchange, tradingsymbol, symboltoken);
      },
      std::move(done));
}

void WorkerBroker::GetPositions(Done<std::vector<smartapi::Position>> done) {
  Enqueue<std::vector<smartapi::Position>>(
      false, smartapi::Endpoint::kGetPosition, [](smartapi::Client& c) { return c.GetPosition(); },
      std::move(done));
}

std::string WorkerBroker::token() const {
  std::lock_guard lock(mu_);
  return token_;
}

bool WorkerBroker::TakeRunnable(Job& out, std::chrono::nanoseconds& wait) {
  // Called with mu_ held. The limiter is the client's, used only on this
  // thread (the client calls it too, from this same thread).
  auto& limiter = client_.rate_limiter();
  wait = std::chrono::nanoseconds::max();
  for (const bool writes : {true, false}) {
    for (auto it = jobs_.begin(); it != jobs_.end(); ++it) {
      if (it->write != writes) continue;
      const auto w = limiter.WaitTime(it->endpoint);
      if (w.count() <= 0) {
        out = std::move(*it);
        jobs_.erase(it);
        return true;
      }
      wait = std::min(wait, w);
    }
  }
  return false;
}

void WorkerBroker::Run() {
  auto lg = log::Get("executor");
  std::unique_lock lock(mu_);
  while (true) {
    if (stopping_) break;
    Job job;
    std::chrono::nanoseconds wait{};
    if (jobs_.empty()) {
      // Idle: wake once a minute to keep the session for the new day.
      cv_.wait_for(lock, std::chrono::minutes(1));
      if (stopping_) break;
      if (jobs_.empty()) {
        lock.unlock();
        if (client_.NeedsDailyRelogin(clock_.wall_ns())) {
          if (auto ok = client_.EnsureSession(); !ok.ok())
            lg->error("daily re-login failed: {}", ok.error().ToString());
          else
            lg->info("logged in again for the new day");
        }
        lock.lock();
        token_ = client_.session().jwt_token;
      }
      continue;
    }
    if (!TakeRunnable(job, wait)) {
      cv_.wait_for(lock, wait);
      continue;
    }
    lock.unlock();
    job.run();
    lock.lock();
    token_ = client_.session().jwt_token;
  }
  // Stopping: what never started is completed as not sent.
  std::deque<Job> left;
  left.swap(jobs_);
  lock.unlock();
  for (auto& job : left) job.not_sent();
}

void WorkerBroker::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace ct::executor
