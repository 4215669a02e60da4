// The media plane the gateway sees, spread over mediasecd's workers: each context lives on one
// worker (the one with the fewest contexts when the context's first termination is added), and
// every command on its terminations runs there. A Move to a context on another worker takes the
// termination's bearer, sockets and all, to that worker. Runs on the association's thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "host/app/media_worker.h"
#include "host/h248/media_plane.h"
#include "host/media/bearer_plane.h"

namespace mediasec::app {

class WorkerPlanes final : public h248::MediaPlane {
 public:
  // The workers outlive this.
  explicit WorkerPlanes(std::vector<MediaWorker*> workers);

  Result<sdp::SessionDescription, h248::MediaError> add(const h248::TerminationRequest& request) override;
  Result<sdp::SessionDescription, h248::MediaError> modify(const h248::TerminationRequest& request) override;
  h248::MediaStatistics subtract(const std::string& termination) override;
  h248::MediaStatistics statistics(const std::string& termination) const override;

  // Every bearer released (daemon shutdown).
  void release_all();

  // What the operator sees, gathered from every worker.
  std::vector<size_t> relays_per_worker() const;
  std::vector<media::BearerPlane::BearerView> bearers() const;
  std::map<std::string, uint64_t> event_counts() const;
  uint64_t accept_pauses() const;  // of the passive bearers of every worker
  // Which worker holds a termination (tests, mediasecctl contexts).
  std::optional<size_t> worker_of(const std::string& termination) const;

 private:
  struct Placement {
    size_t worker = 0;
    uint32_t context = 0;
  };
  struct Hosting {
    size_t worker = 0;
    size_t terminations = 0;
  };
  size_t worker_for_new_context() const;
  void place(const std::string& termination, size_t worker, uint32_t context);
  void unplace(const std::string& termination);

  std::vector<MediaWorker*> workers_;
  std::map<std::string, Placement> terminations_;
  std::map<uint32_t, Hosting> contexts_;
  std::vector<size_t> contexts_per_worker_;
};

}  // namespace mediasec::app
