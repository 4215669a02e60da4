#include "host/tls/dtls_session.h"

#include <openssl/err.h>

#include <string>

#include "drivers/record_format.h"
#include "host/tls/session_keys.h"

namespace mediasec::tls {
namespace {

constexpr size_t kHeader = 13;  // type, version, epoch, 48-bit sequence, length
constexpr uint8_t kAlert = 21, kHandshake = 22, kApplicationData = 23;
constexpr size_t kMaxPayload = 16384;

struct RecordView {
  uint8_t type;
  uint16_t epoch;
  uint64_t seq;
  std::span<const uint8_t> bytes;  // header and body
};

// The records of one datagram; false if it does not split into whole DTLS 1.2 records.
bool split(std::span<const uint8_t> d, std::vector<RecordView>& out) {
  size_t at = 0;
  while (at < d.size()) {
    if (d.size() - at < kHeader) return false;
    const auto* h = d.data() + at;
    const size_t len = static_cast<size_t>(h[11]) << 8 | h[12];
    if (d.size() - at - kHeader < len) return false;
    uint64_t seq = 0;
    for (int i = 5; i < 11; ++i) seq = seq << 8 | h[i];
    out.push_back(RecordView{h[0], static_cast<uint16_t>(h[3] << 8 | h[4]), seq, d.subspan(at, kHeader + len)});
    at += kHeader + len;
  }
  return true;
}

// Writes each datagram OpenSSL sends as its own entry (a memory BIO would run them together).
class DatagramSink {
 public:
  static BIO* make(std::vector<DtlsSession::Datagram>* queue) {
    BIO* b = BIO_new(method());
    if (b != nullptr) BIO_set_data(b, queue);
    return b;
  }

 private:
  static const BIO_METHOD* method() {
    static const BIO_METHOD* const m = [] {
      BIO_METHOD* meth = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "mediasec datagram sink");
      BIO_meth_set_write(meth, write);
      BIO_meth_set_ctrl(meth, ctrl);
      BIO_meth_set_create(meth, [](BIO* b) {
        BIO_set_init(b, 1);
        return 1;
      });
      return meth;
    }();
    return m;
  }
  static int write(BIO* b, const char* data, int len) {
    auto* q = static_cast<std::vector<DtlsSession::Datagram>*>(BIO_get_data(b));
    q->emplace_back(data, data + len);
    return len;
  }
  static long ctrl(BIO*, int cmd, long, void*) {
    switch (cmd) {
      case BIO_CTRL_FLUSH: return 1;
      case BIO_CTRL_DGRAM_QUERY_MTU:
      case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:  // the configured MTU is the UDP payload already
      case BIO_CTRL_WPENDING:
      case BIO_CTRL_PENDING: return 0;
      default: return 0;
    }
  }
};

}  // namespace

Result<std::unique_ptr<DtlsSession>> DtlsSession::create(TlsContext& context, device::SlotPool& slots,
                                                         Options options) {
  if (context.transport() != Transport::kDatagram) {
    return make_error(ErrorCode::kInvalidArgument, "a DTLS session needs a datagram (DTLS) context");
  }
  std::unique_ptr<DtlsSession> s(new DtlsSession(context, slots, std::move(options)));
  auto ssl = context.new_ssl(s->options_.role, s.get(), s->options_.require_peer_fingerprint);
  if (!ssl) return ssl.error();
  s->ssl_ = std::move(*ssl);
  s->rbio_ = BIO_new(BIO_s_mem());
  BIO* wbio = DatagramSink::make(&s->openssl_out_);
  if (s->rbio_ == nullptr || wbio == nullptr) {
    BIO_free(s->rbio_);
    BIO_free(wbio);
    return make_error(ErrorCode::kInternal, "cannot allocate BIOs");
  }
  BIO_set_mem_eof_return(s->rbio_, -1);
  SSL_set_bio(s->ssl_.get(), s->rbio_, wbio);
  SSL_set_mtu(s->ssl_.get(), static_cast<long>(context.profile().dtls_mtu));
  return s;
}

DtlsSession::DtlsSession(TlsContext& context, device::SlotPool& slots, Options options)
    : context_(context),
      slots_(slots),
      options_(std::move(options)),
      peer_check_(options_.peer_fingerprints, options_.require_peer_fingerprint) {}

DtlsSession::~DtlsSession() {
  tx_.clear();
  rx_.clear();
}

bool DtlsSession::on_peer_certificate(X509* leaf) { return peer_check_.accept(leaf); }

void DtlsSession::start() {
  if (options_.role == Role::kClient && phase_ == Phase::kHandshake) drive_handshake();
}

void DtlsSession::drive_handshake() {
  const int r = SSL_do_handshake(ssl_.get());
  collect_openssl_output();
  if (r == 1) {
    on_established();
    return;
  }
  const int e = SSL_get_error(ssl_.get(), r);
  if (e == SSL_ERROR_WANT_READ) return;
  const Release why =
      peer_check_.or_else(ReleaseCause::kHandshakeFailed, "DTLS handshake failed: " + openssl_error_text());
  release_now(why.cause, why.reason);
}

void DtlsSession::on_established() {
  Suite suite;
  auto keys = tls12_session_keys(ssl_.get(), &suite);
  if (!keys) {
    release_now(ReleaseCause::kDeviceError, "cannot derive the DTLS keys: " + keys.error().message);
    return;
  }
  info_.cipher = SSL_get_cipher_name(ssl_.get());
  for (device::SlotConfig* c : {&keys->client_write, &keys->server_write}) {
    c->framing = device::Framing::kDtls12;
    c->epoch = epoch_;
  }
  const bool client = options_.role == Role::kClient;
  // Finished was record 0 of epoch 1 both ways.
  auto w = tx_.load(slots_, client ? keys->client_write : keys->server_write, device::Op::kProtect, 1);
  auto r = rx_.load(slots_, client ? keys->server_write : keys->client_write, device::Op::kUnprotect, 1);
  device::secure_wipe(keys->client_write);
  device::secure_wipe(keys->server_write);
  if (!w || !r) {
    release_now(ReleaseCause::kDeviceError, "cannot load the DTLS keys into the device");
    return;
  }
  window_.accept(0);
  phase_ = Phase::kOffloaded;
  info_.offloaded = true;
  SSL_free_buffers(ssl_.get());
}

void DtlsSession::receive(std::span<const uint8_t> datagram) {
  if (phase_ == Phase::kReleased) return;
  if (datagram.size() > kHeader + kMaxPayload + 2048) {
    ++info_.bad_records;
    return;
  }
  if (phase_ == Phase::kHandshake) {
    BIO_write(rbio_, datagram.data(), static_cast<int>(datagram.size()));
    drive_handshake();
  } else {
    offloaded_datagram(datagram);
  }
  ERR_clear_error();
}

void DtlsSession::offloaded_datagram(std::span<const uint8_t> datagram) {
  std::vector<RecordView> records;
  if (!split(datagram, records)) {
    ++info_.bad_records;
    return;
  }
  for (const RecordView& r : records) {
    if (phase_ != Phase::kOffloaded) return;
    if (r.bytes[1] != 0xFE || r.bytes[2] != 0xFD) {
      ++info_.bad_records;
      continue;
    }
    if (r.epoch != epoch_) {
      if (r.epoch < epoch_ && r.type == kHandshake) {
        // The peer repeats its last flight: ours was lost. OpenSSL answers by repeating its own.
        ++info_.handshake_retransmissions;
        feed_openssl(r.bytes);
      } else {
        ++info_.old_epoch;
      }
      continue;
    }
    if (!window_.check(r.seq)) {
      ++info_.replayed;
      continue;
    }
    auto done = rx_.run_wire(
        device::Job{0, 0, device::Op::kUnprotect, 0, 0, std::vector<uint8_t>(r.bytes.begin(), r.bytes.end())});
    if (!done || done->status != device::Status::kOk) {
      ++info_.bad_records;  // silently discarded (RFC 6347 §4.1.2.7)
      continue;
    }
    window_.accept(r.seq);
    switch (done->content_type) {
      case kApplicationData:
        ++info_.records_in;
        received_.push_back(std::move(done->output));
        break;
      case kAlert:
        if (done->output.size() == 2 && done->output[1] == 0) {
          release_now(ReleaseCause::kCloseNotify, "the peer sent close_notify");
        } else if (done->output.size() == 2 && done->output[0] == 2) {
          release_now(ReleaseCause::kAlertReceived,
                      std::string("the peer sent a fatal alert: ") + SSL_alert_desc_string_long(done->output[1]));
        }
        break;
      case kHandshake:
        // Its last flight again (Finished under epoch 1): OpenSSL accepts any fresh sequence
        // number, so the authentic record goes to it as it came.
        ++info_.handshake_retransmissions;
        feed_openssl(r.bytes);
        break;
      default: ++info_.bad_records;
    }
  }
}

void DtlsSession::feed_openssl(std::span<const uint8_t> record) {
  BIO_write(rbio_, record.data(), static_cast<int>(record.size()));
  uint8_t sink[64];
  size_t n = 0;
  while (SSL_read_ex(ssl_.get(), sink, sizeof sink, &n) == 1) {
  }
  collect_openssl_output();
}

void DtlsSession::collect_openssl_output() {
  std::vector<Datagram> written = std::move(openssl_out_);
  openssl_out_.clear();
  for (Datagram& d : written) {
    if (phase_ != Phase::kOffloaded) {
      out_.push_back(std::move(d));
      continue;
    }
    // After the handshake: epoch-0 records go as they are; OpenSSL's epoch-1 records are opened
    // and protected again at the wire's sequence numbers.
    std::vector<RecordView> records;
    if (!split(d, records)) continue;
    Datagram rebuilt;
    for (const RecordView& r : records) {
      if (r.epoch != epoch_) {
        rebuilt.insert(rebuilt.end(), r.bytes.begin(), r.bytes.end());
        continue;
      }
      auto opened =
          tx_.run_at_openssl_sequence(device::Op::kUnprotect, 0, std::vector<uint8_t>(r.bytes.begin(), r.bytes.end()));
      if (!opened || opened->status != device::Status::kOk) continue;
      auto wire =
          tx_.run_wire(device::Job{0, 0, device::Op::kProtect, opened->content_type, 0, std::move(opened->output)});
      if (wire && wire->status == device::Status::kOk)
        rebuilt.insert(rebuilt.end(), wire->output.begin(), wire->output.end());
    }
    if (!rebuilt.empty()) out_.push_back(std::move(rebuilt));
  }
}

Result<void> DtlsSession::send(std::span<const uint8_t> payload) {
  if (phase_ != Phase::kOffloaded)
    return make_error(ErrorCode::kInvalidArgument, "the DTLS session is not established");
  if (payload.size() > kMaxPayload)
    return make_error(ErrorCode::kInvalidArgument, "a DTLS record holds at most 16384 bytes");
  auto done = tx_.run_wire(device::Job{0, 0, device::Op::kProtect, kApplicationData, 0,
                                       std::vector<uint8_t>(payload.begin(), payload.end())});
  if (!done || done->status != device::Status::kOk) {
    release_now(ReleaseCause::kDeviceError, "device: cannot protect a DTLS record");
    return make_error(ErrorCode::kDeviceError, "protect failed");
  }
  ++info_.records_out;
  out_.push_back(std::move(done->output));
  return ok_result();
}

std::vector<DtlsSession::Datagram> DtlsSession::take_datagrams() { return std::exchange(out_, {}); }
std::vector<DtlsSession::Datagram> DtlsSession::take_received() { return std::exchange(received_, {}); }

std::optional<std::chrono::milliseconds> DtlsSession::timeout() const {
  if (phase_ != Phase::kHandshake || !ssl_) return std::nullopt;
  timeval tv{};
  if (DTLSv1_get_timeout(ssl_.get(), &tv) != 1) return std::nullopt;
  return std::chrono::milliseconds(tv.tv_sec * 1000 + tv.tv_usec / 1000);
}

void DtlsSession::on_timeout() {
  if (phase_ != Phase::kHandshake) return;
  if (DTLSv1_handle_timeout(ssl_.get()) < 0) {
    release_now(ReleaseCause::kHandshakeFailed, "DTLS handshake timed out: " + openssl_error_text());
    return;
  }
  collect_openssl_output();
}

void DtlsSession::close() {
  if (phase_ == Phase::kOffloaded) {
    auto done = tx_.run_wire(device::Job{0, 0, device::Op::kProtect, kAlert, 0, {1, 0}});  // warning, close_notify
    if (done && done->status == device::Status::kOk) out_.push_back(std::move(done->output));
  }
  release_now(ReleaseCause::kLocalClose, "we sent close_notify");
}

void DtlsSession::release_now(ReleaseCause cause, std::string reason) {
  if (phase_ == Phase::kReleased) return;
  phase_ = Phase::kReleased;
  info_.offloaded = false;
  tx_.clear();
  rx_.clear();
  release_ = Release{cause, std::move(reason)};
}

}  // namespace mediasec::tls
