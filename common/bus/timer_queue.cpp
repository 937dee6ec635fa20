#include "common/bus/timer_queue.h"

#include <algorithm>
#include <vector>

namespace ct::bus {

TimerQueue::TimerId TimerQueue::At(SteadyTime due, Callback cb) {
  const TimerId id = next_id_++;
  timers_[id] = Timer{due, std::chrono::nanoseconds(0), std::move(cb)};
  return id;
}

TimerQueue::TimerId TimerQueue::After(std::chrono::nanoseconds delay, Callback cb) {
  return At(clock_.steady() + delay, std::move(cb));
}

TimerQueue::TimerId TimerQueue::Every(std::chrono::nanoseconds period, Callback cb) {
  const TimerId id = next_id_++;
  timers_[id] = Timer{clock_.steady() + period, period, std::move(cb)};
  return id;
}

std::optional<SteadyTime> TimerQueue::NextDue() const {
  std::optional<SteadyTime> next;
  for (const auto& [id, t] : timers_)
    if (!next || t.due < *next) next = t.due;
  return next;
}

size_t TimerQueue::RunDue() {
  const SteadyTime now = clock_.steady();
  std::vector<std::pair<SteadyTime, TimerId>> due;
  for (const auto& [id, t] : timers_)
    if (t.due <= now) due.emplace_back(t.due, id);
  std::sort(due.begin(), due.end());  // earliest first, then by creation
  size_t ran = 0;
  for (const auto& [when, id] : due) {
    auto it = timers_.find(id);
    if (it == timers_.end()) continue;  // cancelled by an earlier callback
    Callback cb = it->second.cb;
    if (it->second.period.count() > 0) {
      // Next due from now, not from the old due time: a loop held up for a
      // while runs a periodic timer once, not in a burst.
      it->second.due = now + it->second.period;
    } else {
      timers_.erase(it);
    }
    cb();
    ++ran;
  }
  return ran;
}

}  // namespace ct::bus
