#include "host/app/worker_planes.h"

#include <algorithm>
#include <iterator>
#include <tuple>

#include "host/h248/error_codes.h"

namespace mediasec::app {

WorkerPlanes::WorkerPlanes(std::vector<MediaWorker*> workers)
    : workers_(std::move(workers)), contexts_per_worker_(workers_.size(), 0) {}

size_t WorkerPlanes::worker_for_new_context() const {
  return static_cast<size_t>(std::min_element(contexts_per_worker_.begin(), contexts_per_worker_.end()) -
                             contexts_per_worker_.begin());
}

void WorkerPlanes::place(const std::string& termination, size_t worker, uint32_t context) {
  auto [hosting, fresh] = contexts_.try_emplace(context, Hosting{worker, 0});
  if (fresh) ++contexts_per_worker_[worker];
  ++hosting->second.terminations;
  terminations_[termination] = Placement{worker, context};
}

void WorkerPlanes::unplace(const std::string& termination) {
  auto it = terminations_.find(termination);
  if (it == terminations_.end()) return;
  auto hosting = contexts_.find(it->second.context);
  if (hosting != contexts_.end() && --hosting->second.terminations == 0) {
    --contexts_per_worker_[hosting->second.worker];
    contexts_.erase(hosting);
  }
  terminations_.erase(it);
}

Result<sdp::SessionDescription, h248::MediaError> WorkerPlanes::add(const h248::TerminationRequest& request) {
  auto hosting = contexts_.find(request.context);
  const size_t w = hosting != contexts_.end() ? hosting->second.worker : worker_for_new_context();
  MediaWorker& worker = *workers_[w];
  auto local = worker.call([&] { return worker.plane().add(request); });
  if (local) place(request.termination, w, request.context);
  return local;
}

Result<sdp::SessionDescription, h248::MediaError> WorkerPlanes::modify(const h248::TerminationRequest& request) {
  auto at = terminations_.find(request.termination);
  if (at == terminations_.end()) {
    return h248::MediaError{h248::errors::kNoSuchTerminationId, request.termination + " has no bearer"};
  }
  const Placement from = at->second;
  size_t to = from.worker;
  if (request.context != from.context) {
    auto hosting = contexts_.find(request.context);
    to = hosting != contexts_.end() ? hosting->second.worker : from.worker;
  }
  if (to != from.worker) {
    // Move to a context another worker owns: the bearer goes there.
    MediaWorker& source = *workers_[from.worker];
    auto departure = source.call([&] { return source.plane().detach(request.termination); });
    if (departure) {
      MediaWorker& target = *workers_[to];
      target.call([&] { target.plane().adopt(std::move(*departure)); });
    }
  }
  MediaWorker& worker = *workers_[to];
  auto local = worker.call([&] { return worker.plane().modify(request); });
  if (to != from.worker || request.context != from.context) {
    unplace(request.termination);
    place(request.termination, to, request.context);
  }
  return local;
}

h248::MediaStatistics WorkerPlanes::subtract(const std::string& termination) {
  auto at = terminations_.find(termination);
  if (at == terminations_.end()) return {};
  MediaWorker& worker = *workers_[at->second.worker];
  auto s = worker.call([&] { return worker.plane().subtract(termination); });
  unplace(termination);
  return s;
}

h248::MediaStatistics WorkerPlanes::statistics(const std::string& termination) const {
  auto at = terminations_.find(termination);
  if (at == terminations_.end()) return {};
  MediaWorker& worker = *workers_[at->second.worker];
  return worker.call([&] { return worker.plane().statistics(termination); });
}

void WorkerPlanes::release_all() {
  std::vector<std::string> names;
  for (const auto& [name, placement] : terminations_) names.push_back(name);
  for (const std::string& name : names) subtract(name);
}

std::vector<size_t> WorkerPlanes::relays_per_worker() const {
  std::vector<size_t> out;
  for (MediaWorker* w : workers_) out.push_back(w->call([w] { return w->plane().relays(); }));
  return out;
}

std::vector<media::BearerPlane::BearerView> WorkerPlanes::bearers() const {
  std::vector<media::BearerPlane::BearerView> out;
  for (MediaWorker* w : workers_) {
    auto views = w->call([w] { return w->plane().bearers(); });
    std::move(views.begin(), views.end(), std::back_inserter(out));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.context, a.termination) < std::tie(b.context, b.termination);
  });
  return out;
}

std::map<std::string, uint64_t> WorkerPlanes::event_counts() const {
  std::map<std::string, uint64_t> out;
  for (MediaWorker* w : workers_) {
    for (const auto& [event, n] : w->call([w] { return w->plane().event_counts(); })) out[event] += n;
  }
  return out;
}

uint64_t WorkerPlanes::accept_pauses() const {
  uint64_t sum = 0;
  for (MediaWorker* w : workers_) sum += w->call([w] { return w->plane().accept_pauses(); });
  return sum;
}

std::optional<size_t> WorkerPlanes::worker_of(const std::string& termination) const {
  auto at = terminations_.find(termination);
  if (at == terminations_.end()) return std::nullopt;
  return at->second.worker;
}

}  // namespace mediasec::app
