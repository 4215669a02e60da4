// mediasecd's media workers: contexts are spread over the workers, each worker relays on its own
// thread with its own device, and a Move to a context another worker owns takes the bearer there
// (listening or already connected) and relays from there. Real sockets, real threads, sw and sim.
#include <gtest/gtest.h>

#include <asio.hpp>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "host/app/media_worker.h"
#include "host/app/worker_planes.h"
#include "host/sdp/sdp.h"
#include "tests/device/backends.h"
#include "tests/support/test_identities.h"

namespace mediasec::app {
namespace {

using namespace std::chrono_literals;
using asio::ip::tcp;

class Workers : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    MediaWorker::Setup setup;
    setup.backend = GetParam();
    setup.media_address = "127.0.0.1";
    setup.identity = &*ids_.gateway;
    setup.tickets = std::make_shared<tls::TicketKeys>(std::chrono::seconds(3600));
    setup.sink = [this](const std::string& t, h248::ObservedEvent e) {
      std::lock_guard lock(mu_);
      events_.push_back(t + " " + e.name);
    };
    for (size_t i = 0; i < 2; ++i) {
      auto w = MediaWorker::open(i, setup);
      ASSERT_TRUE(w.ok()) << w.error().message;
      workers_.push_back(std::move(*w));
    }
    planes_ = std::make_unique<WorkerPlanes>(std::vector<MediaWorker*>{workers_[0].get(), workers_[1].get()});
  }
  void TearDown() override {
    planes_.reset();
    workers_.clear();
  }

  // A plain TCP termination the peer connects to (we are passive); returns the port we answered.
  uint16_t AddListening(const std::string& termination, uint32_t context) {
    h248::TerminationRequest r;
    r.termination = termination;
    r.context = context;
    r.local = sdp::parse("v=0\nc=IN IP4 $\nm=application $ TCP *\n").value();
    r.remote = sdp::parse("v=0\nc=IN IP4 127.0.0.1\nm=application 9 TCP *\na=setup:active\n").value();
    auto local = planes_->add(r);
    EXPECT_TRUE(local.ok()) << (local.ok() ? "" : local.error().reason);
    return local.ok() ? local->media.at(0).port.value_or(0) : 0;
  }
  h248::TerminationRequest MoveTo(const std::string& termination, uint32_t context) {
    h248::TerminationRequest r;
    r.termination = termination;
    r.context = context;
    return r;
  }
  bool Saw(const std::string& event, std::chrono::milliseconds within = 5s) {
    const auto end = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < end) {
      {
        std::lock_guard lock(mu_);
        for (const auto& e : events_)
          if (e == event) return true;
      }
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }
  std::string Events() {
    std::lock_guard lock(mu_);
    std::string s;
    for (const auto& e : events_) s += "  " + e + "\n";
    return s;
  }
  // Sends `text` one way over the relay and reads it at the other end.
  static std::string Through(tcp::socket& from, tcp::socket& to, const std::string& text) {
    asio::write(from, asio::buffer(text));
    std::string got(text.size(), '\0');
    asio::read(to, asio::buffer(got));
    return got;
  }
  bool RelaysAre(std::vector<size_t> expected) {
    for (int i = 0; i < 500; ++i) {
      if (planes_->relays_per_worker() == expected) return true;
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }

  test_env::TestIdentities ids_{"workers"};
  std::vector<std::unique_ptr<MediaWorker>> workers_;
  std::unique_ptr<WorkerPlanes> planes_;
  std::mutex mu_;
  std::vector<std::string> events_;
  asio::io_context client_io_;
};

TEST_P(Workers, ContextsAreSpreadOverTheWorkersAndEachRelaysOnItsOwn) {
  const uint16_t a1 = AddListening("tcp/1", 1), b1 = AddListening("tcp/2", 1);
  const uint16_t a2 = AddListening("tcp/3", 2), b2 = AddListening("tcp/4", 2);
  EXPECT_EQ(planes_->worker_of("tcp/1"), 0u);
  EXPECT_EQ(planes_->worker_of("tcp/2"), 0u) << "a context stays on one worker";
  EXPECT_EQ(planes_->worker_of("tcp/3"), 1u) << "a new context goes to the worker with fewer";
  EXPECT_EQ(planes_->worker_of("tcp/4"), 1u);
  std::vector<tcp::socket> peers;
  for (uint16_t port : {a1, b1, a2, b2}) {
    peers.emplace_back(client_io_);
    peers.back().connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
  }
  ASSERT_TRUE(RelaysAre({1, 1})) << Events();
  EXPECT_EQ(Through(peers[0], peers[1], "one to two"), "one to two");
  EXPECT_EQ(Through(peers[3], peers[2], "four to three"), "four to three");
  EXPECT_TRUE(Saw("tcp/4 tcpbcc/tcpest")) << Events();
  const auto s = planes_->subtract("tcp/3");
  EXPECT_EQ(s.octets_sent, 13u) << "statistics come from the worker that relayed";
  EXPECT_EQ(planes_->worker_of("tcp/3"), std::nullopt);
  EXPECT_TRUE(RelaysAre({1, 0}));
  // The context left on worker 1 empties; the next new context goes there again.
  planes_->subtract("tcp/4");
  AddListening("tcp/5", 3);
  EXPECT_EQ(planes_->worker_of("tcp/5"), 1u);
}

TEST_P(Workers, MoveToAContextOfAnotherWorkerTakesTheListeningBearerAlong) {
  const uint16_t moved = AddListening("tcp/1", 1);
  const uint16_t stays = AddListening("tcp/2", 2);
  ASSERT_EQ(planes_->worker_of("tcp/1"), 0u);
  ASSERT_EQ(planes_->worker_of("tcp/2"), 1u);
  auto local = planes_->modify(MoveTo("tcp/1", 2));
  ASSERT_TRUE(local.ok()) << local.error().reason;
  EXPECT_EQ(planes_->worker_of("tcp/1"), 1u);
  const auto views = planes_->bearers();
  ASSERT_EQ(views.size(), 2u);
  EXPECT_EQ(views[0].termination, "tcp/1");
  EXPECT_EQ(views[0].context, 2u);
  EXPECT_EQ(views[0].local_port, moved) << "the same port: the listening socket itself moved";
  tcp::socket a(client_io_), b(client_io_);
  a.connect(tcp::endpoint(asio::ip::address_v4::loopback(), moved));
  b.connect(tcp::endpoint(asio::ip::address_v4::loopback(), stays));
  ASSERT_TRUE(RelaysAre({0, 1})) << Events();
  EXPECT_EQ(Through(a, b, "moved bearer"), "moved bearer");
  EXPECT_EQ(Through(b, a, "and back"), "and back");
}

TEST_P(Workers, MoveTakesAConnectedBearerAlongWithItsConnection) {
  const uint16_t moved = AddListening("tcp/1", 1);
  tcp::socket a(client_io_);
  a.connect(tcp::endpoint(asio::ip::address_v4::loopback(), moved));
  ASSERT_TRUE(Saw("tcp/1 tcpbcc/tcpest")) << Events();
  const uint16_t stays = AddListening("tcp/2", 2);
  ASSERT_EQ(planes_->worker_of("tcp/2"), 1u);
  ASSERT_TRUE(planes_->modify(MoveTo("tcp/1", 2)).ok());
  tcp::socket b(client_io_);
  b.connect(tcp::endpoint(asio::ip::address_v4::loopback(), stays));
  ASSERT_TRUE(RelaysAre({0, 1})) << Events();
  EXPECT_EQ(Through(a, b, "kept connection"), "kept connection");
  const auto views = planes_->bearers();
  ASSERT_EQ(views.size(), 2u);
  EXPECT_EQ(views[0].context, 2u);
  EXPECT_EQ(views[0].state, "relaying");
}

TEST_P(Workers, AMoveOutOfARelayingContextEndsItsRelay) {
  const uint16_t p1 = AddListening("tcp/1", 1), p2 = AddListening("tcp/2", 1);
  AddListening("tcp/3", 2);
  tcp::socket a(client_io_), b(client_io_);
  a.connect(tcp::endpoint(asio::ip::address_v4::loopback(), p1));
  b.connect(tcp::endpoint(asio::ip::address_v4::loopback(), p2));
  ASSERT_TRUE(RelaysAre({1, 0})) << Events();
  ASSERT_TRUE(planes_->modify(MoveTo("tcp/2", 2)).ok());
  EXPECT_TRUE(RelaysAre({0, 0})) << "context 1 has one termination left: nothing to relay";
  // Both connections were the relay's; they are closed.
  char byte;
  asio::error_code ec;
  a.read_some(asio::buffer(&byte, 1), ec);
  EXPECT_EQ(ec, asio::error::eof);
}

TEST_P(Workers, AMoveWithinOneWorkerEndsTheOldContextsRelayToo) {
  planes_ = std::make_unique<WorkerPlanes>(std::vector<MediaWorker*>{workers_[0].get()});
  const uint16_t p1 = AddListening("tcp/1", 1), p2 = AddListening("tcp/2", 1);
  AddListening("tcp/3", 2);
  tcp::socket a(client_io_), b(client_io_);
  a.connect(tcp::endpoint(asio::ip::address_v4::loopback(), p1));
  b.connect(tcp::endpoint(asio::ip::address_v4::loopback(), p2));
  ASSERT_TRUE(RelaysAre({1})) << Events();
  ASSERT_TRUE(planes_->modify(MoveTo("tcp/2", 2)).ok());
  EXPECT_EQ(planes_->worker_of("tcp/2"), 0u);
  EXPECT_TRUE(RelaysAre({0}));
  char byte;
  asio::error_code ec;
  b.read_some(asio::buffer(&byte, 1), ec);
  EXPECT_EQ(ec, asio::error::eof);
}

TEST_P(Workers, AnUnknownTerminationIsRefusedWithoutTouchingAWorker) {
  auto r = planes_->modify(MoveTo("tcp/77", 1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 430);
  EXPECT_EQ(planes_->subtract("tcp/77").octets_sent, 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, Workers, ::testing::ValuesIn(tb::DeviceBackends()), tb::BackendName);

}  // namespace
}  // namespace mediasec::app
