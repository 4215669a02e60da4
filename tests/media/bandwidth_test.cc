// Bandwidth adjustment: the overhead the formula assumes is what real records carry — TLS 1.2 and
// 1.3 records written by OpenSSL itself, DTLS 1.2 records from the device — for each suite and
// record size; and b=AS / b=TIAS rewritten both ways in SDP.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "drivers/device.h"
#include "drivers/open_device.h"
#include "host/media/bandwidth.h"
#include "tests/tls/openssl_peer.h"

namespace mediasec::media {
namespace {

using device::Framing;

struct Case {
  int version;
  const char* suite;
  Framing framing;
};

// Bytes on the wire for one SSL_write of `payload` bytes on a real OpenSSL connection.
size_t OpenSslRecordBytes(const Case& c, size_t payload) {
  auto server_id = tls::Identity::generate(tls::KeyType::kEcdsaP256).value();
  auto client_id = tls::Identity::generate(tls::KeyType::kEcdsaP256).value();
  tls::test::OpenSslPeer server(tls::Role::kServer, server_id, c.version, c.suite);
  tls::test::OpenSslPeer client(tls::Role::kClient, client_id, c.version, c.suite);
  SSL_CTX_set_num_tickets(server.ctx(), 0);
  for (int i = 0; i < 6; ++i) {
    client.step();
    server.feed(client.take());
    server.step();
    client.feed(server.take());
  }
  client.step();
  (void)client.take();
  const std::vector<uint8_t> data(payload, 0x42);
  client.write(data);
  return client.take().size();
}

TEST(Bandwidth, TheOverheadIsWhatOpenSslRecordsCarry) {
  const Case cases[] = {
      {TLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256", Framing::kTls12},
      {TLS1_2_VERSION, "ECDHE-ECDSA-AES256-GCM-SHA384", Framing::kTls12},
      {TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256", Framing::kTls13},
      {TLS1_3_VERSION, "TLS_AES_256_GCM_SHA384", Framing::kTls13},
  };
  for (const Case& c : cases) {
    for (uint32_t payload : {1u, 100u, 1024u, 2048u, 16384u}) {
      const size_t wire = OpenSslRecordBytes(c, payload);
      Packetization p;
      p.record_payload = payload;
      // 1000 records' worth of media per second.
      const uint64_t plain = uint64_t{payload} * 8 * 1000;
      EXPECT_EQ(protected_bitrate(plain, c.framing, p), uint64_t{wire} * 8 * 1000) << c.suite << " " << payload;
      EXPECT_EQ(plain_bitrate(uint64_t{wire} * 8 * 1000, c.framing, p), plain) << c.suite << " " << payload;
    }
  }
}

TEST(Bandwidth, DtlsOverheadIsWhatTheDeviceFrames) {
  auto dev = device::open_device("sw").value();
  device::SlotConfig slot;
  slot.framing = Framing::kDtls12;
  slot.epoch = 1;
  ASSERT_TRUE(dev->load_slot(0, slot).ok());
  for (uint32_t payload : {20u, 160u, 320u}) {  // T.38 UDPTL packets
    auto c = dev->run(device::Job{0, 0, device::Op::kProtect, 23, 0, std::vector<uint8_t>(payload, 1)});
    ASSERT_TRUE(c.ok());
    Packetization p;
    p.packets_per_second = 50;
    const uint64_t plain = uint64_t{payload} * 8 * 50;
    EXPECT_EQ(protected_bitrate(plain, Framing::kDtls12, p), uint64_t{c->output.size()} * 8 * 50) << payload;
  }
}

TEST(Bandwidth, SdpBandwidthLinesBothWays) {
  auto sdp = sdp::parse(
      "v=0\r\nc=IN IP4 $\r\nm=message $ TCP/TLS/MSRP *\r\nb=AS:64\r\nb=TIAS:64000\r\nb=CT:1000\r\n"
      "m=image $ UDP/TLS/UDPTL t38\r\nb=AS:40\r\n");
  ASSERT_TRUE(sdp.ok()) << sdp.error().reason;
  Packetization p;  // 2048-byte records, 50 packets/s
  sdp::MediaDescription msrp = sdp->media[0], t38 = sdp->media[1];
  adjust_bandwidth(msrp, Framing::kTls12, p, Toward::kAccess);
  // 64 kbit/s * (2048 + 29) / 2048 = 64.906 -> 65; 64000 -> 64907 (rounded up); CT untouched.
  EXPECT_EQ(msrp.bandwidth("AS"), 65u);
  EXPECT_EQ(msrp.bandwidth("TIAS"), 64907u);
  EXPECT_EQ(msrp.bandwidth("CT"), 1000u);
  adjust_bandwidth(msrp, Framing::kTls12, p, Toward::kCore);
  EXPECT_EQ(msrp.bandwidth("AS"), 64u);
  EXPECT_EQ(msrp.bandwidth("TIAS"), 64000u);
  // T.38: 40 kbit/s + 37 bytes * 8 * 50/s = 40 + 14.8 -> 55.
  adjust_bandwidth(t38, Framing::kDtls12, p, Toward::kAccess);
  EXPECT_EQ(t38.bandwidth("AS"), 55u);
  // TLS 1.3 costs less than 1.2 for the same media.
  sdp::MediaDescription m13 = sdp->media[0];
  adjust_bandwidth(m13, Framing::kTls13, p, Toward::kAccess);
  EXPECT_EQ(m13.bandwidth("TIAS"), 64688u);  // 64000 * 2070 / 2048 = 64687.5 -> 64688
}

}  // namespace
}  // namespace mediasec::media
