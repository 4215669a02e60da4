// The control socket's server with a real client (ask_daemon) over a real Unix socket. A request
// whose fields have the wrong type used to throw out of the handler and abort the daemon.
#include "host/app/control_server.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>

#include "host/app/control_client.h"
#include "tests/support/temp_dir.h"

namespace mediasec::app {
namespace {

class ControlServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The handler reads "command" as a string the way a careless handler would: a number, null
    // or an array makes nlohmann::json throw type_error.
    auto server = ControlServer::open(
        io_, dir_ / "control.sock",
        [](const nlohmann::json& request) {
          const std::string command = request.value("command", "");
          if (command == "throw-other") throw 42;
          return nlohmann::json{{"echo", command}};
        },
        {}, std::chrono::milliseconds(300));
    ASSERT_TRUE(server.ok()) << server.error().message;
    server_ = std::move(*server);
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    asio::post(io_, [this] { server_.reset(); });
    guard_.reset();
    io_.stop();
    thread_.join();
  }
  nlohmann::json Ask(const nlohmann::json& request) {
    auto answer = ask_daemon(dir_ / "control.sock", request, std::chrono::seconds(5));
    EXPECT_TRUE(answer.ok()) << (answer.ok() ? "" : answer.error().message);
    return answer.ok() ? *answer : nlohmann::json{};
  }

  test_env::TempDir dir_{"control-server"};
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_ = asio::make_work_guard(io_);
  std::unique_ptr<ControlServer> server_;
  std::thread thread_;
};

TEST_F(ControlServerTest, ARequestAnswers) { EXPECT_EQ(Ask({{"command", "status"}})["echo"], "status"); }

TEST_F(ControlServerTest, ACommandThatIsNotAStringGetsAnErrorAndTheServerLives) {
  for (const nlohmann::json& command : {nlohmann::json(5), nlohmann::json(nullptr), nlohmann::json::array({1, 2}),
                                        nlohmann::json::object({{"a", 1}}), nlohmann::json(true)}) {
    const nlohmann::json answer = Ask({{"command", command}});
    ASSERT_TRUE(answer.contains("error")) << command.dump() << " -> " << answer.dump();
    EXPECT_NE(answer["error"].get<std::string>().find("not understood"), std::string::npos) << answer.dump();
  }
  const nlohmann::json other = Ask({{"command", "throw-other"}});
  EXPECT_TRUE(other.contains("error")) << other.dump();
  EXPECT_EQ(Ask({{"command", "status"}})["echo"], "status") << "the server still answers afterwards";
}

TEST_F(ControlServerTest, AClientThatSendsNothingIsClosed) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string path = (dir_ / "control.sock").string();
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  timeval tv{3, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const auto start = std::chrono::steady_clock::now();
  char c = 0;
  EXPECT_EQ(::recv(fd, &c, 1, 0), 0) << "the idle connection was not closed (EOF expected)";
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  ::close(fd);
  EXPECT_EQ(Ask({{"command", "status"}})["echo"], "status") << "others are still served";
}

}  // namespace
}  // namespace mediasec::app
