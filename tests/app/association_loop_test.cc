// app::AssociationLoop, mediasecd's H.248 loop, with a real MgAssociation on a real UDP socket:
// messages that arrive faster than one batch takes are all read without waiting for a timer or
// for another message (the socket stays registered between messages, and a batch cut short is
// followed by another at once), and a single message is read as soon as it arrives.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <asio.hpp>

#include <string>

#include "host/app/association_loop.h"
#include "host/h248/gateway.h"
#include "host/h248/mg_association.h"
#include "tests/support/port_reservation.h"

namespace mediasec::app {
namespace {

using namespace std::chrono_literals;

class Loop : public ::testing::Test {
 protected:
  void SetUp() override {
    h248::AssociationConfig config;
    config.local_port = 0;
    config.mgcs = {{"127.0.0.1", 9}};  // nobody: the ServiceChange goes unanswered, which is fine here
    auto assoc = h248::MgAssociation::open(config, gateway_);
    ASSERT_TRUE(assoc.ok()) << assoc.error().message;
    association_ = std::move(*assoc);
    loop_ = std::make_unique<AssociationLoop>(io_, *association_, [] {});
    loop_->start();
    sender_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    ASSERT_GE(sender_, 0);
  }
  void TearDown() override {
    loop_.reset();
    if (sender_ >= 0) ::close(sender_);
  }
  // Malformed H.248 (each counted by the association as it reads it), sent to its port.
  void Send(int count) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(association_->local().port());
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const std::string junk = "this is not H.248";
    for (int i = 0; i < count; ++i) {
      ASSERT_EQ(::sendto(sender_, junk.data(), junk.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
                static_cast<ssize_t>(junk.size()));
    }
  }
  uint64_t Read() const { return association_->stats().malformed_messages; }

  asio::io_context io_{1};
  h248::PackageRegistry packages_ = h248::PackageRegistry::standard();
  test::PortReservation media_{"127.0.0.1"};
  h248::Gateway gateway_{packages_, media_};
  std::unique_ptr<h248::MgAssociation> association_;
  std::unique_ptr<AssociationLoop> loop_;
  int sender_ = -1;
};

TEST_F(Loop, MoreMessagesThanOneBatchAreAllReadWithoutWaiting) {
  io_.poll();  // the registration sent; the loop waits
  Send(200);   // more than three batches of 64, all already waiting (and within the socket buffer)
  // poll() runs what is ready and never waits: every batch must follow the one before at once.
  for (int i = 0; i < 20 && Read() < 200; ++i) io_.poll();
  EXPECT_EQ(Read(), 200u) << "a batch cut short waited for a timer or for another message";
}

TEST_F(Loop, EachMessageIsReadWhenItArrives) {
  io_.poll();
  for (int round = 1; round <= 50; ++round) {
    Send(1);
    // The datagram is on loopback before sendto returns: ready for the reactor at once.
    for (int i = 0; i < 20 && Read() < static_cast<uint64_t>(round); ++i) io_.poll();
    ASSERT_EQ(Read(), static_cast<uint64_t>(round)) << "message " << round << " was not read when it arrived";
  }
}

}  // namespace
}  // namespace mediasec::app
