// net::AcceptLoop against real sockets with the process really out of descriptors: accepting
// pauses instead of spinning on the connection left in the backlog, says so once, and accepts
// that connection as soon as descriptors are free again.
#include <gtest/gtest.h>

#include <time.h>

#include <asio.hpp>

#include <cerrno>
#include <chrono>
#include <vector>

#include "host/net/accept_loop.h"
#include "tests/support/descriptor_exhaustion.h"

namespace mediasec::net {
namespace {

using asio::ip::tcp;
using namespace std::chrono_literals;

double ThreadCpuSeconds() {
  timespec t{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

TEST(AcceptFailure, ShortagesPauseAndThePeersFailuresAreSkipped) {
  const auto sys = [](int e) { return asio::error_code(e, asio::system_category()); };
  EXPECT_EQ(classify_accept_failure(sys(EMFILE)), AcceptFailure::kShortage);
  EXPECT_EQ(classify_accept_failure(sys(ENFILE)), AcceptFailure::kShortage);
  EXPECT_EQ(classify_accept_failure(sys(ENOBUFS)), AcceptFailure::kShortage);
  EXPECT_EQ(classify_accept_failure(sys(ENOMEM)), AcceptFailure::kShortage);
  EXPECT_EQ(classify_accept_failure(sys(ECONNABORTED)), AcceptFailure::kPeer);
  EXPECT_EQ(classify_accept_failure(sys(EPROTO)), AcceptFailure::kPeer);
  EXPECT_EQ(classify_accept_failure(asio::error::operation_aborted), AcceptFailure::kClosed);
}

TEST(AcceptLoop, OutOfDescriptorsItPausesInsteadOfSpinningAndAcceptsWhenTheyAreBack) {
  if (test_env::DescriptorExhaustion::kUnderSanitizers) GTEST_SKIP() << test_env::DescriptorExhaustion::kWhySkipped;
  asio::io_context io(1);
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  std::vector<tcp::socket> accepted;
  std::vector<asio::error_code> shortages;
  AcceptLoop<tcp> loop(
      acceptor, [&](tcp::socket s) { accepted.push_back(std::move(s)); },
      [&](const asio::error_code& ec) { shortages.push_back(ec); });
  loop.start();
  // Clients' sockets opened while there are descriptors; their connections complete in the
  // kernel (the listen backlog) whether or not we accept.
  tcp::socket first(io), second(io);
  first.open(tcp::v4());
  second.open(tcp::v4());

  test_env::DescriptorExhaustion exhaustion;
  ASSERT_TRUE(exhaustion.exhausted());
  first.connect(acceptor.local_endpoint());
  const double cpu_before = ThreadCpuSeconds();
  io.run_for(600ms);
  io.restart();
  const double cpu = ThreadCpuSeconds() - cpu_before;
  EXPECT_TRUE(accepted.empty());
  ASSERT_EQ(shortages.size(), 1u) << "said once per shortage";
  EXPECT_EQ(shortages.front(), asio::error_code(EMFILE, asio::system_category())) << shortages.front().message();
  EXPECT_GE(loop.pauses(), 3u);
  EXPECT_LE(loop.pauses(), 8u) << "one try per pause of " << kAcceptPause.count() << " ms";
  EXPECT_LT(cpu, 0.15) << "the loop spun on the connection waiting in the backlog";

  exhaustion.release();
  for (auto deadline = std::chrono::steady_clock::now() + 2s;
       accepted.empty() && std::chrono::steady_clock::now() < deadline;) {
    io.run_for(10ms);
    io.restart();
  }
  ASSERT_EQ(accepted.size(), 1u) << "the connection that waited is accepted";
  EXPECT_EQ(accepted.front().remote_endpoint(), first.local_endpoint());
  // Accepting goes on as before.
  second.connect(acceptor.local_endpoint());
  for (auto deadline = std::chrono::steady_clock::now() + 2s;
       accepted.size() < 2 && std::chrono::steady_clock::now() < deadline;) {
    io.run_for(10ms);
    io.restart();
  }
  EXPECT_EQ(accepted.size(), 2u);
  EXPECT_EQ(shortages.size(), 1u);
}

TEST(AcceptLoop, ClosingTheAcceptorEndsIt) {
  asio::io_context io(1);
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  int connections = 0;
  AcceptLoop<tcp> loop(acceptor, [&](tcp::socket) { ++connections; });
  loop.start();
  acceptor.close();
  io.run_for(200ms);
  EXPECT_TRUE(io.stopped()) << "nothing left to wait for";
  EXPECT_EQ(loop.pauses(), 0u);
  EXPECT_EQ(connections, 0);
}

}  // namespace
}  // namespace mediasec::net
