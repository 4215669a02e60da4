// mediasecd's configuration: defaults, every section read, relative paths, and every kind of bad
// file refused with the file, line and key in the message.
#include <gtest/gtest.h>

#include <string>

#include "host/app/daemon_config.h"

namespace mediasec::app {
namespace {

constexpr const char* kSource = "/etc/mediasec/mediasecd.toml";

std::string ErrorOf(const std::string& text) {
  auto c = parse_config(text, kSource);
  EXPECT_FALSE(c.ok()) << "accepted:\n" << text;
  return c.ok() ? "" : c.error().message;
}

TEST(DaemonConfig, TheSmallestFileTakesTheDefaults) {
  auto c = parse_config("[h248]\nmgcs = [\"10.0.0.1:2944\"]\n", kSource);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->backend, "sw");
  EXPECT_EQ(c->association.mgcs.size(), 1u);
  EXPECT_EQ(c->association.mgcs[0].host, "10.0.0.1");
  EXPECT_EQ(c->association.mgcs[0].port, 2944);
  EXPECT_EQ(c->association.profile.name, h248::default_profile(h248::Profile::kIq).name);
  EXPECT_EQ(c->certificate, "/etc/mediasec/gateway.pem");
  EXPECT_EQ(c->key, "/etc/mediasec/gateway.key");
  EXPECT_TRUE(c->create_certificate);
  EXPECT_EQ(c->workers, 0u) << "one worker per core";
  EXPECT_TRUE(c->metrics_listen.empty());
  EXPECT_EQ(c->log_level, "info");
}

TEST(DaemonConfig, EverySectionIsRead) {
  auto c = parse_config(R"(
[device]
backend = "sim:lanes=4"
[h248]
profile = "ix"
transport = "tcp"
listen = "[::1]:2950"
mgcs = ["10.0.0.1:2944", "10.0.0.2:2944"]
encoding = "pretty"
version = 2
max_message_size = 1400
[h248.timers]
initial_retransmit_ms = 250
request_timeout_ms = 5000
[h248.rename]
"tlscn/setup" = "tlsstart"
[media]
address = "192.0.2.7"
workers = 4
[tls]
certificate = "certs/gw.pem"
key = "/secure/gw.key"
create = false
min_version = "1.3"
renegotiation = false
ticket_key_period_s = 600
dtls_mtu = 1400
handshake_timeout_ms = 2500
[control]
socket = "/tmp/x.sock"
[metrics]
listen = "0.0.0.0:9744"
[log]
level = "debug"
file = "log/mediasecd.log"
)",
                        kSource);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->backend, "sim:lanes=4");
  EXPECT_EQ(c->profile, h248::Profile::kIx);
  EXPECT_EQ(c->association.profile.name, h248::default_profile(h248::Profile::kIx).name);
  EXPECT_EQ(c->association.transport, h248::MgcTransport::kTcp);
  EXPECT_EQ(c->association.local_address, "::1");
  EXPECT_EQ(c->association.local_port, 2950);
  ASSERT_EQ(c->association.mgcs.size(), 2u);
  EXPECT_EQ(c->association.mgcs[1].host, "10.0.0.2");
  EXPECT_EQ(c->association.form, h248::Form::kPretty);
  EXPECT_EQ(c->association.version, 2);
  EXPECT_EQ(c->association.max_message_size, 1400u);
  EXPECT_EQ(c->association.timers.initial_retransmit, h248::Millis(250));
  EXPECT_EQ(c->association.timers.request_timeout, h248::Millis(5000));
  ASSERT_EQ(c->renames.size(), 1u);
  EXPECT_EQ(c->renames[0].package, "tlscn");
  EXPECT_EQ(c->renames[0].from, "setup");
  EXPECT_EQ(c->renames[0].to, "tlsstart");
  EXPECT_EQ(c->media_address, "192.0.2.7");
  EXPECT_EQ(c->workers, 4u);
  EXPECT_EQ(c->certificate, "/etc/mediasec/certs/gw.pem");  // relative to the file
  EXPECT_EQ(c->key, "/secure/gw.key");
  EXPECT_FALSE(c->create_certificate);
  EXPECT_EQ(c->tls.min_version, tls::Version::kTls13);
  EXPECT_FALSE(c->tls.renegotiation);
  EXPECT_EQ(c->tls.ticket_key_period, std::chrono::seconds(600));
  EXPECT_EQ(c->tls.dtls_mtu, 1400u);
  EXPECT_EQ(c->tls.handshake_timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(c->control_socket, "/tmp/x.sock");
  EXPECT_EQ(c->metrics_listen, "0.0.0.0:9744");
  EXPECT_EQ(c->log_level, "debug");
  EXPECT_EQ(c->log_file, "/etc/mediasec/log/mediasecd.log");
}

TEST(DaemonConfig, AnOperatorsProfileNameWins) {
  auto c = parse_config(
      "[h248]\nmgcs = [\"10.0.0.1:2944\"]\nprofile = \"mp\"\nprofile_name = \"Operator_Mp\"\nprofile_version = 4\n",
      kSource);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->association.profile.name, "Operator_Mp");
  EXPECT_EQ(c->association.profile.version, 4u);
}

TEST(DaemonConfig, BadFilesAreRefusedWithFileLineAndKey) {
  const std::string mgc = "[h248]\nmgcs = [\"10.0.0.1:2944\"]\n";
  EXPECT_EQ(ErrorOf(mgc + "typo = 1\n"), std::string(kSource) + ":3: h248.typo: unknown key");
  EXPECT_EQ(ErrorOf(mgc + "[tls]\nrenegotiation = \"yes\"\n"),
            std::string(kSource) + ":4: tls.renegotiation: expected true or false");
  EXPECT_NE(ErrorOf(mgc + "transport = \"sctp\"\n").find(":3: h248.transport: 'sctp' is not one of tcp, udp"),
            std::string::npos);
  EXPECT_NE(ErrorOf(mgc + "version = 4\n").find("h248.version: must be between 1 and 3"), std::string::npos);
  EXPECT_NE(ErrorOf(mgc + "max_message_size = 70000\n").find("h248.max_message_size: must be between 0 and 65507"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[h248]\nmgcs = [\"10.0.0.1\"]\n").find(":2: h248.mgcs: '10.0.0.1' is not host:port"),
            std::string::npos);
  EXPECT_NE(ErrorOf("[h248]\nmgcs = [\"10.0.0.1:99999\"]\n").find("has no valid port"), std::string::npos);
  EXPECT_NE(ErrorOf("[h248]\nmgcs = []\n").find("expected a list"), std::string::npos);
  EXPECT_NE(ErrorOf("[media]\naddress = \"127.0.0.1\"\n").find("h248.mgcs: at least one MGC is required"),
            std::string::npos);
  EXPECT_NE(ErrorOf(mgc + "[tls]\ncertificate = \"a.pem\"\n").find("give both certificate and key"), std::string::npos);
  EXPECT_NE(
      ErrorOf(mgc + "[tls]\nmin_version = \"1.3\"\nmax_version = \"1.2\"\n").find("min_version is above max_version"),
      std::string::npos);
  EXPECT_NE(ErrorOf(mgc + "[log]\nlevel = \"loud\"\n").find("log.level: 'loud' is not one of"), std::string::npos);
  EXPECT_NE(ErrorOf(mgc + "[metrics]\nlisten = \"9744\"\n").find("metrics.listen"), std::string::npos);
  EXPECT_NE(ErrorOf(mgc + "[h248.rename]\n\"tlscn\" = \"x\"\n").find("expected \"package/element\""),
            std::string::npos);
  EXPECT_NE(ErrorOf(mgc + "[h248.timers]\nprovisional_ms = 0\n").find("h248.timers.provisional_ms: must be between"),
            std::string::npos);
  EXPECT_NE(ErrorOf(mgc + "[media]\nworkers = 300\n").find(":4: media.workers: must be between 0 and 256"),
            std::string::npos);
  EXPECT_NE(ErrorOf("media = 3\n").find(":1: media: expected a table"), std::string::npos);
  // Not TOML at all: the parser's own message, with the line.
  EXPECT_NE(ErrorOf("[h248\nmgcs = 1\n").find(std::string(kSource) + ":1: "), std::string::npos);
  EXPECT_NE(ErrorOf(std::string("\x01\xff\xfe garbage", 12)).find(kSource), std::string::npos);
}

TEST(DaemonConfig, AMissingFileIsNamed) {
  auto c = load_config("/nonexistent/mediasecd.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, "/nonexistent/mediasecd.toml: cannot be read");
}

TEST(DaemonConfig, HostPortSplits) {
  EXPECT_EQ(split_host_port("127.0.0.1:2944").value(), std::make_pair(std::string("127.0.0.1"), uint16_t{2944}));
  EXPECT_EQ(split_host_port("[2001:db8::1]:9744").value(), std::make_pair(std::string("2001:db8::1"), uint16_t{9744}));
  EXPECT_FALSE(split_host_port(":1").ok());
  EXPECT_FALSE(split_host_port("host:").ok());
  EXPECT_FALSE(split_host_port("host:12a").ok());
}

}  // namespace
}  // namespace mediasec::app
