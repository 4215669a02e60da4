#include "host/tls/tls_session.h"

#include <openssl/err.h>

#include <algorithm>
#include <string>

#include "drivers/record_format.h"
#include "host/tls/session_keys.h"

namespace mediasec::tls {
namespace {

constexpr size_t kHeader = 5;
constexpr size_t kMaxPlaintext = 16384;                  // 2^14 (RFC 8446 §5.1, RFC 5246 §6.2.1)
constexpr size_t kMaxRecordBody = kMaxPlaintext + 2048;  // the largest TLSCiphertext of TLS 1.2
constexpr uint8_t kChangeCipherSpec = 20, kAlert = 21, kHandshake = 22, kApplicationData = 23;
constexpr uint8_t kKeyUpdate = 24;
constexpr uint8_t kWarning = 1, kFatal = 2;  // alert levels
// Alert descriptions (RFC 8446 §6).
constexpr int kUnexpectedMessage = 10, kBadRecordMac = 20, kRecordOverflow = 22, kDecodeError = 50,
              kProtocolVersion = 70, kInternalError = 80;

size_t body_length(std::span<const uint8_t> header) { return static_cast<size_t>(header[3]) << 8 | header[4]; }

// True if the handshake messages in `plaintext` include one of `type`.
bool has_handshake_message(std::span<const uint8_t> plaintext, uint8_t type) {
  for (size_t i = 0; i + 4 <= plaintext.size();) {
    if (plaintext[i] == type) return true;
    const size_t len =
        static_cast<size_t>(plaintext[i + 1]) << 16 | static_cast<size_t>(plaintext[i + 2]) << 8 | plaintext[i + 3];
    i += 4 + len;
  }
  return false;
}

std::vector<uint8_t> read_all(BIO* bio) {
  std::vector<uint8_t> out(static_cast<size_t>(BIO_ctrl_pending(bio)));
  if (!out.empty()) {
    const int n = BIO_read(bio, out.data(), static_cast<int>(out.size()));
    out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<TlsSession>> TlsSession::create(TlsContext& context, device::SlotPool& slots, Options options) {
  if (context.transport() != Transport::kStream) {
    return make_error(ErrorCode::kInvalidArgument, "a TLS session needs a stream (TLS) context");
  }
  std::unique_ptr<TlsSession> s(new TlsSession(context, slots, std::move(options)));
  const bool server = s->options_.role == Role::kServer;
  auto ssl = context.new_ssl(s->options_.role, s.get(), s->options_.require_peer_fingerprint);
  if (!ssl) return ssl.error();
  s->ssl_ = std::move(*ssl);
  s->rbio_ = BIO_new(BIO_s_mem());
  s->wbio_ = BIO_new(BIO_s_mem());
  if (s->rbio_ == nullptr || s->wbio_ == nullptr) {
    BIO_free(s->rbio_);
    BIO_free(s->wbio_);
    return make_error(ErrorCode::kInternal, "cannot allocate memory BIOs");
  }
  BIO_set_mem_eof_return(s->rbio_, -1);  // an empty input means "more later", not end of stream
  SSL_set_bio(s->ssl_.get(), s->rbio_, s->wbio_);
  if (!server) {
    if (!s->options_.server_name.empty()) SSL_set_tlsext_host_name(s->ssl_.get(), s->options_.server_name.c_str());
    if (s->options_.resume && SSL_set_session(s->ssl_.get(), s->options_.resume.get()) != 1) {
      return make_error(ErrorCode::kInvalidArgument, "cannot resume that session: " + openssl_error_text());
    }
  }
  return s;
}

TlsSession::TlsSession(TlsContext& context, device::SlotPool& slots, Options options)
    : context_(context),
      slots_(slots),
      options_(std::move(options)),
      peer_check_(options_.peer_fingerprints, options_.require_peer_fingerprint) {}

TlsSession::~TlsSession() {
  tx_.clear();
  rx_.clear();
}

void TlsSession::on_key_log(const char* line) {
  // Lines only ever reach this in-memory log, never a file or a logger.
  (void)key_log_.add_line(line);
}

bool TlsSession::on_peer_certificate(X509* leaf) { return peer_check_.accept(leaf); }

void TlsSession::on_new_session(SSL_SESSION* session) { resumable_ = share_session(session); }

void TlsSession::start() {
  if (options_.role == Role::kClient && phase_ == Phase::kHandshake) advance_handshake();
  after_call();
}

void TlsSession::receive(std::span<const uint8_t> bytes) {
  if (phase_ == Phase::kReleased) return;
  if (!inbound_.empty()) {
    // A record cut by the previous read: only the bytes that complete it are copied; the rest of
    // this read is processed where it lies.
    bytes = complete_kept_record(bytes);
    if (phase_ == Phase::kReleased || (!inbound_.empty() && bytes.empty())) {
      after_call();  // the session ended, or still short of a record (all of this read is in it)
      return;
    }
    if (!inbound_.empty()) {
      // The completed record left bytes unprocessed: the rest goes behind them, as it came.
      inbound_.insert(inbound_.end(), bytes.begin(), bytes.end());
      process_kept();
      after_call();
      return;
    }
  }
  // Whole records straight from the caller's buffer; only a partial tail is kept.
  const size_t used = process_inbound(bytes);
  if (phase_ != Phase::kReleased) inbound_.assign(bytes.begin() + static_cast<long>(used), bytes.end());
  after_call();
}

std::span<const uint8_t> TlsSession::complete_kept_record(std::span<const uint8_t> bytes) {
  const auto take = [&](size_t n) {
    n = std::min(n, bytes.size());
    inbound_.insert(inbound_.end(), bytes.begin(), bytes.begin() + static_cast<long>(n));
    bytes = bytes.subspan(n);
  };
  if (inbound_.size() < kHeader) take(kHeader - inbound_.size());
  if (inbound_.size() < kHeader) return bytes;
  const size_t whole = kHeader + body_length(std::span<const uint8_t>(inbound_).first(kHeader));
  if (whole <= kHeader + kMaxRecordBody && whole > inbound_.size()) take(whole - inbound_.size());
  // Whole, or too long to ever be (process_inbound refuses it).
  if (inbound_.size() >= whole || whole > kHeader + kMaxRecordBody) process_kept();
  return bytes;
}

void TlsSession::process_kept() {
  std::vector<uint8_t> pending = std::move(inbound_);
  inbound_.clear();
  const size_t used = process_inbound(pending);
  if (phase_ != Phase::kReleased) inbound_.assign(pending.begin() + static_cast<long>(used), pending.end());
}

size_t TlsSession::process_inbound(std::span<const uint8_t> data) {
  constexpr size_t kBatch = 64;
  size_t at = 0;
  while (phase_ != Phase::kReleased) {
    // Whole records from `at`: one during the handshake (OpenSSL may change keys after any),
    // a batch once offloaded.
    std::vector<std::span<const uint8_t>> records;
    size_t end = at;
    const size_t limit = phase_ == Phase::kHandshake ? 1 : kBatch;
    while (records.size() < limit && data.size() - end >= kHeader) {
      const size_t len = body_length(data.subspan(end, kHeader));
      if (len > kMaxRecordBody) {
        fail(ReleaseCause::kBadRecord, "a record of " + std::to_string(len) + " bytes exceeds the TLS limit",
             kRecordOverflow);
        return data.size();
      }
      if (data.size() - end < kHeader + len) break;
      records.push_back(data.subspan(end, kHeader + len));
      end += kHeader + len;
    }
    if (records.empty()) break;
    if (phase_ == Phase::kHandshake) {
      handshake_record(records.front());
      at = end;
    } else {
      const size_t used = offloaded_records(records);
      for (size_t i = 0; i < used; ++i) at += records[i].size();
    }
  }
  return phase_ == Phase::kReleased ? data.size() : at;
}

void TlsSession::handshake_record(std::span<const uint8_t> record) {
  BIO_write(rbio_, record.data(), static_cast<int>(record.size()));
  advance_handshake();
}

void TlsSession::advance_handshake() {
  const int r = SSL_do_handshake(ssl_.get());
  forward_openssl_output();
  if (r == 1) {
    on_established();
    return;
  }
  const int e = SSL_get_error(ssl_.get(), r);
  if (e == SSL_ERROR_WANT_READ) return;
  const Release why =
      peer_check_.or_else(ReleaseCause::kHandshakeFailed, "TLS handshake failed: " + openssl_error_text());
  release_now(why.cause, why.reason);
}

void TlsSession::forward_openssl_output() {
  std::vector<uint8_t> bytes = read_all(wbio_);
  output_.insert(output_.end(), bytes.begin(), bytes.end());
}

void TlsSession::on_established() {
  SSL* ssl = ssl_.get();
  tls13_ = SSL_version(ssl) == TLS1_3_VERSION;
  info_.version = SSL_get_version(ssl);
  info_.cipher = SSL_get_cipher_name(ssl);
  info_.resumed = SSL_session_reused(ssl) == 1;
  if (info_.resumed && !resumable_) resumable_ = options_.resume;  // still good for the next time
  const Result<void> loaded = tls13_ ? load_tls13_keys() : [&]() -> Result<void> {
    // Finished was record 0 under these keys in both directions.
    if (auto w = load_tls12_keys(true, 1); !w) return w;
    return load_tls12_keys(false, 1);
  }();
  key_log_ = KeyLog();  // the secrets are in the slots now
  if (!loaded) {
    release_now(ReleaseCause::kDeviceError, "cannot load the session keys into the device: " + loaded.error().message);
    return;
  }
  phase_ = Phase::kOffloaded;
  info_.offloaded = true;
  if (tls13_ && options_.role == Role::kServer) {
    // Tickets now, through the offloaded path, at sequence numbers we know (see TlsContext).
    for (uint32_t i = 0; i < context_.profile().tls13_tickets; ++i) SSL_new_session_ticket(ssl);
    if (context_.profile().tls13_tickets > 0) {
      SSL_do_handshake(ssl);
      collect_openssl_output();
    }
  }
  release_idle_memory();
  if (tls13_ && options_.role == Role::kServer && context_.profile().tls13_server_without_openssl) {
    // Nothing OpenSSL would still do for us: free the connection (quietly marked as shut down so
    // that OpenSSL does not count the session as broken).
    SSL_set_quiet_shutdown(ssl, 1);
    SSL_shutdown(ssl);
    ssl_.reset();
    rbio_ = wbio_ = nullptr;
    info_.without_openssl = true;
  }
  flush_held();
}

void TlsSession::release_idle_memory() {
  // OpenSSL's record buffers go (SSL_MODE_RELEASE_BUFFERS does it while idle too), and the memory
  // BIOs, which keep the capacity of the largest handshake flight, are replaced by empty ones.
  SSL* ssl = ssl_.get();
  SSL_free_buffers(ssl);
  if (BIO_ctrl_pending(rbio_) == 0 && BIO_ctrl_pending(wbio_) == 0) {
    BIO* r = BIO_new(BIO_s_mem());
    BIO* w = BIO_new(BIO_s_mem());
    if (r != nullptr && w != nullptr) {
      BIO_set_mem_eof_return(r, -1);
      SSL_set_bio(ssl, r, w);
      rbio_ = r;
      wbio_ = w;
    } else {
      BIO_free(r);
      BIO_free(w);
    }
  }
}

Result<void> TlsSession::load_tls12_keys(bool write_side, uint64_t sequence) {
  Suite suite;
  auto keys = tls12_session_keys(ssl_.get(), &suite);
  if (!keys) return keys.error();
  cipher_ = suite.cipher;
  hash_ = suite.hash;
  const bool client = options_.role == Role::kClient;
  const device::SlotConfig& mine = client ? keys->client_write : keys->server_write;
  const device::SlotConfig& theirs = client ? keys->server_write : keys->client_write;
  Result<void> r = write_side ? tx_.load(slots_, mine, device::Op::kProtect, sequence)
                              : rx_.load(slots_, theirs, device::Op::kUnprotect, sequence);
  device::secure_wipe(keys->client_write);
  device::secure_wipe(keys->server_write);
  return r;
}

Result<void> TlsSession::load_tls13_keys() {
  SSL* ssl = ssl_.get();
  auto suite = suite_of(SSL_get_current_cipher(ssl));
  if (!suite) return suite.error();
  cipher_ = suite->cipher;
  hash_ = suite->hash;
  std::vector<uint8_t> client_random(32);
  SSL_get_client_random(ssl, client_random.data(), client_random.size());
  auto client_secret = key_log_.secret("CLIENT_TRAFFIC_SECRET_0", client_random);
  auto server_secret = key_log_.secret("SERVER_TRAFFIC_SECRET_0", client_random);
  if (!client_secret || !server_secret) return make_error(ErrorCode::kInternal, "the key log has no traffic secrets");
  const bool client = options_.role == Role::kClient;
  SecretBytes& mine = client ? *client_secret : *server_secret;
  SecretBytes& theirs = client ? *server_secret : *client_secret;
  for (auto [keys, secret, op] :
       {std::tuple{&tx_, &mine, device::Op::kProtect}, std::tuple{&rx_, &theirs, device::Op::kUnprotect}}) {
    auto config = tls13_keys(cipher_, hash_, secret->bytes());
    if (!config) return config.error();
    auto r = keys->load(slots_, *config, op, 0, *secret);
    device::secure_wipe(*config);
    if (!r) return r;
  }
  return ok_result();
}

Result<void> TlsSession::next_tls13_keys(bool write_side) {
  DirectionKeys& keys = write_side ? tx_ : rx_;
  auto next = tls13_next_secret(hash_, keys.secret().bytes());
  if (!next) return next.error();
  SecretBytes secret(std::move(*next));
  auto config = tls13_keys(cipher_, hash_, secret.bytes());
  if (!config) return config.error();
  auto r = keys.load(slots_, *config, write_side ? device::Op::kProtect : device::Op::kUnprotect, 0, std::move(secret));
  device::secure_wipe(*config);
  return r;
}

size_t TlsSession::offloaded_records(const std::vector<std::span<const uint8_t>>& records) {
  std::vector<device::Job> jobs;
  jobs.reserve(records.size());
  std::vector<std::span<uint8_t>> into;  // where each record's plaintext goes, if not a new vector
  into.reserve(records.size());
  size_t plain_at = plain_used_;
  for (const auto& rec : records) {
    const uint8_t type = rec[0];
    const uint16_t version = static_cast<uint16_t>(rec[1] << 8 | rec[2]);
    if (version != device::kTlsVersion12) {
      fail(ReleaseCause::kBadRecord, "a record with version " + std::to_string(version) + " after the handshake",
           kProtocolVersion);
      return records.size();
    }
    if (tls13_ ? type != kApplicationData : (type < kChangeCipherSpec || type > kApplicationData)) {
      fail(ReleaseCause::kBadRecord, "a record of content type " + std::to_string(type) + " after the handshake",
           kUnexpectedMessage);
      return records.size();
    }
    // The record stays in the caller's buffer until the device has opened it (run_wire drains).
    device::Job job{0, 0, device::Op::kUnprotect, 0, 0, {}};
    job.borrowed_input = rec;
    // receive_into(): the plaintext goes to the caller's buffer while it has room.
    const size_t room = rec.size() > kHeader ? rec.size() - kHeader : 0;
    if (plain_out_.size() - plain_at >= room) {
      job.output_into = plain_out_.subspan(plain_at, room);
      plain_at += room;
    }
    into.push_back(job.output_into);
    jobs.push_back(std::move(job));
  }
  auto done = rx_.run_wire(std::move(jobs));
  if (!done) {
    fail(ReleaseCause::kDeviceError, "device: " + done.error().message, kInternalError);
    return records.size();
  }
  for (size_t i = 0; i < done->size(); ++i) {
    device::Completion& c = (*done)[i];
    if (c.status != device::Status::kOk) {
      fail(ReleaseCause::kBadRecord, std::string("a record failed on the device (") + device::to_string(c.status) + ")",
           c.status == device::Status::kAuthFail ? kBadRecordMac : kDecodeError);
      return records.size();
    }
    if (c.content_type == kApplicationData) {
      ++info_.records_in;
      info_.bytes_in += c.wrote_into ? c.output_length : c.output.size();
      if (c.wrote_into) {
        if (c.output_length > 0) views_.push_back(into[i].first(c.output_length));
        plain_used_ = static_cast<size_t>(into[i].data() - plain_out_.data()) + into[i].size();
      } else if (!c.output.empty() && into_views_) {
        view_storage_.push_back(std::move(c.output));  // a record the previous read had cut
        views_.push_back(view_storage_.back());
      } else if (!c.output.empty()) {
        received_.push_back(std::move(c.output));  // no copy: records as the device opened them
      }
      continue;
    }
    // Anything else is OpenSSL's; if it changed the read keys, the records after it were opened
    // with the old ones: they go round again under the new slot.
    if (c.wrote_into) c.output.assign(into[i].begin(), into[i].begin() + static_cast<long>(c.output_length));
    if (to_openssl(c.content_type, std::move(c.output)) || phase_ == Phase::kReleased) return i + 1;
  }
  return records.size();
}

bool TlsSession::tls13_post_handshake(uint8_t content_type, std::span<const uint8_t> plaintext) {
  if (content_type == kAlert) {
    if (plaintext.size() != 2) {
      fail(ReleaseCause::kBadRecord, "a malformed alert", kDecodeError);
    } else if (plaintext[1] == 0) {  // close_notify: ours in return
      send_alert(kWarning, 0);
      release_now(ReleaseCause::kCloseNotify, "the peer sent close_notify");
    } else if (plaintext[1] != 90) {  // all but user_canceled are fatal in TLS 1.3
      release_now(ReleaseCause::kAlertReceived,
                  std::string("the peer sent a fatal alert: ") + SSL_alert_desc_string_long(plaintext[1]));
    }
    return false;
  }
  if (content_type != kHandshake) {
    fail(ReleaseCause::kBadRecord, "a record of content type " + std::to_string(content_type) + " after the handshake",
         kUnexpectedMessage);
    return false;
  }
  // Only KeyUpdate may follow a TLS 1.3 handshake from a client (we never ask for post-handshake
  // authentication).
  bool update = false, answer = false;
  for (size_t i = 0; i < plaintext.size();) {
    if (plaintext.size() - i < 4) {
      fail(ReleaseCause::kBadRecord, "a truncated handshake message", kDecodeError);
      return false;
    }
    const size_t len =
        static_cast<size_t>(plaintext[i + 1]) << 16 | static_cast<size_t>(plaintext[i + 2]) << 8 | plaintext[i + 3];
    if (plaintext[i] != kKeyUpdate) {
      fail(ReleaseCause::kBadRecord, "handshake message " + std::to_string(plaintext[i]) + " after the handshake",
           kUnexpectedMessage);
      return false;
    }
    if (len != 1 || plaintext.size() - i < 5 || plaintext[i + 4] > 1) {
      fail(ReleaseCause::kBadRecord, "a malformed KeyUpdate", kDecodeError);
      return false;
    }
    update = true;
    answer = answer || plaintext[i + 4] == 1;
    i += 5;
  }
  if (!update) return false;
  ++info_.key_updates_received;
  if (auto r = next_tls13_keys(false); !r) {
    fail(ReleaseCause::kDeviceError, "cannot load the new read keys: " + r.error().message, kInternalError);
    return false;
  }
  if (answer) send_key_update(false);
  return true;
}

void TlsSession::send_key_update(bool request_peer) {
  const std::vector<uint8_t> message = {kKeyUpdate, 0, 0, 1, static_cast<uint8_t>(request_peer ? 1 : 0)};
  auto wire = tx_.run_wire(device::Job{0, 0, device::Op::kProtect, kHandshake, 0, message});
  if (!wire || wire->status != device::Status::kOk) {
    fail(ReleaseCause::kDeviceError, "device: cannot protect a KeyUpdate", kInternalError);
    return;
  }
  output_.insert(output_.end(), wire->output.begin(), wire->output.end());
  ++info_.key_updates_sent;
  if (auto r = next_tls13_keys(true); !r)
    fail(ReleaseCause::kDeviceError, "cannot load the new write keys: " + r.error().message, kInternalError);
}

bool TlsSession::to_openssl(uint8_t content_type, std::vector<uint8_t> plaintext) {
  if (!ssl_) return tls13_post_handshake(content_type, plaintext);
  ++info_.records_to_openssl;
  const bool change_cipher_spec = !tls13_ && content_type == kChangeCipherSpec;
  const bool key_update = tls13_ && content_type == kHandshake && has_handshake_message(plaintext, kKeyUpdate);
  auto record = rx_.run_at_openssl_sequence(device::Op::kProtect, content_type, std::move(plaintext));
  if (!record || record->status != device::Status::kOk) {
    fail(ReleaseCause::kDeviceError, "device: cannot re-protect a record for OpenSSL", kInternalError);
    return false;
  }
  BIO_write(rbio_, record->output.data(), static_cast<int>(record->output.size()));
  drive_openssl();
  if (phase_ == Phase::kReleased) return false;
  Result<void> r;
  if (change_cipher_spec) r = load_tls12_keys(false, 0);
  if (key_update) {
    ++info_.key_updates_received;
    r = next_tls13_keys(false);
  }
  if (!r) {
    fail(ReleaseCause::kDeviceError, "cannot load the new read keys: " + r.error().message, kInternalError);
    return false;
  }
  return change_cipher_spec || key_update;
}

void TlsSession::drive_openssl() {
  SSL* ssl = ssl_.get();
  for (;;) {
    uint8_t sink[64];
    size_t n = 0;
    if (SSL_read_ex(ssl, sink, sizeof sink, &n) == 1) continue;  // never: application data bypasses OpenSSL
    const int e = SSL_get_error(ssl, 0);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) break;
    if (e == SSL_ERROR_ZERO_RETURN) {
      // close_notify: answer with ours, then release.
      SSL_shutdown(ssl);
      collect_openssl_output();
      release_now(ReleaseCause::kCloseNotify, "the peer sent close_notify");
      return;
    }
    const std::string detail = openssl_error_text();
    collect_openssl_output();  // the alert OpenSSL sent, if any
    const bool alert = detail.find("alert") != std::string::npos;
    const Release why = peer_check_.or_else(alert ? ReleaseCause::kAlertReceived : ReleaseCause::kHandshakeFailed,
                                            (alert ? "the peer sent a fatal alert: " : "TLS failed: ") + detail);
    release_now(why.cause, why.reason);
    return;
  }
  // A KeyUpdate that asked for ours: OpenSSL would answer on its next SSL_write, which never
  // comes (application data bypasses it), so send the answer now.
  if (SSL_get_key_update_type(ssl) != SSL_KEY_UPDATE_NONE && SSL_is_init_finished(ssl) &&
      SSL_key_update(ssl, SSL_KEY_UPDATE_NOT_REQUESTED) == 1) {
    SSL_do_handshake(ssl);
  }
  collect_openssl_output();
  note_handshake_progress();
}

void TlsSession::note_handshake_progress() {
  if (phase_ != Phase::kOffloaded) return;
  const bool now = SSL_in_init(ssl_.get()) != 0;
  if (in_handshake_ && !now && !tls13_) ++info_.renegotiations;
  in_handshake_ = now;
  if (!now) {
    SSL_free_buffers(ssl_.get());
    flush_held();
  }
}

void TlsSession::collect_openssl_output() {
  std::vector<uint8_t> bytes = read_all(wbio_);
  openssl_out_.insert(openssl_out_.end(), bytes.begin(), bytes.end());
  size_t at = 0;
  while (phase_ == Phase::kOffloaded && openssl_out_.size() - at >= kHeader) {
    const size_t len = body_length(std::span(openssl_out_.data() + at, kHeader));
    if (openssl_out_.size() - at < kHeader + len) break;
    std::vector<uint8_t> record(openssl_out_.begin() + static_cast<long>(at),
                                openssl_out_.begin() + static_cast<long>(at + kHeader + len));
    at += kHeader + len;
    ++info_.records_from_openssl;
    auto opened = tx_.run_at_openssl_sequence(device::Op::kUnprotect, 0, std::move(record));
    if (!opened || opened->status != device::Status::kOk) {
      fail(ReleaseCause::kDeviceError, "device: cannot open a record OpenSSL wrote", kInternalError);
      break;
    }
    const uint8_t type = opened->content_type;
    const bool change_cipher_spec = !tls13_ && type == kChangeCipherSpec;
    const bool key_update = tls13_ && type == kHandshake && has_handshake_message(opened->output, kKeyUpdate);
    auto wire = tx_.run_wire(device::Job{0, 0, device::Op::kProtect, type, 0, std::move(opened->output)});
    if (!wire || wire->status != device::Status::kOk) {
      fail(ReleaseCause::kDeviceError, "device: cannot protect a record", kInternalError);
      break;
    }
    output_.insert(output_.end(), wire->output.begin(), wire->output.end());
    Result<void> r;
    if (change_cipher_spec) r = load_tls12_keys(true, 0);
    if (key_update) {
      ++info_.key_updates_sent;
      r = next_tls13_keys(true);
    }
    if (!r) {
      fail(ReleaseCause::kDeviceError, "cannot load the new write keys: " + r.error().message, kInternalError);
      break;
    }
  }
  if (phase_ == Phase::kReleased) {
    openssl_out_.clear();
  } else {
    openssl_out_.erase(openssl_out_.begin(), openssl_out_.begin() + static_cast<long>(at));
  }
}

Result<void> TlsSession::send(std::span<const uint8_t> data) {
  if (phase_ == Phase::kReleased) return make_error(ErrorCode::kInvalidArgument, "the TLS session is released");
  if (phase_ == Phase::kHandshake || in_handshake_ || !held_.empty()) {
    held_.insert(held_.end(), data.begin(), data.end());
    return ok_result();
  }
  auto r = protect_and_write(data);
  after_call();
  return r;
}

Result<void> TlsSession::protect_and_write(std::span<const uint8_t> data) {
  std::vector<device::Job> jobs;
  for (size_t at = 0; at < data.size(); at += kMaxPlaintext) {
    const size_t n = std::min(kMaxPlaintext, data.size() - at);
    jobs.push_back(device::Job{
        0, 0, device::Op::kProtect, kApplicationData, 0,
        std::vector<uint8_t>(data.begin() + static_cast<long>(at), data.begin() + static_cast<long>(at + n))});
  }
  if (jobs.empty()) return ok_result();
  auto done = tx_.run_wire(std::move(jobs));
  if (!done) {
    fail(ReleaseCause::kDeviceError, "device: " + done.error().message, kInternalError);
    return done.error();
  }
  if (output_.empty() && done->size() == 1 && done->front().status == device::Status::kOk) {
    output_ = std::move(done->front().output);  // the common case: no copy
    ++info_.records_out;
    info_.bytes_out += data.size();
    return ok_result();
  }
  for (const device::Completion& c : *done) {
    if (c.status != device::Status::kOk) {
      fail(ReleaseCause::kDeviceError, std::string("device: protect failed (") + device::to_string(c.status) + ")",
           kInternalError);
      return make_error(ErrorCode::kDeviceError, "protect failed");
    }
    output_.insert(output_.end(), c.output.begin(), c.output.end());
    ++info_.records_out;
    info_.bytes_out +=
        c.output.size() - device::record_overhead(tls13_ ? device::Framing::kTls13 : device::Framing::kTls12);
  }
  return ok_result();
}

void TlsSession::flush_held() {
  if (held_.empty() || phase_ != Phase::kOffloaded || in_handshake_) return;
  std::vector<uint8_t> data = std::move(held_);
  held_.clear();
  (void)protect_and_write(data);
}

std::vector<uint8_t> TlsSession::take_output() { return std::exchange(output_, {}); }
std::vector<uint8_t> TlsSession::take_received() {
  if (received_.size() == 1) {
    std::vector<uint8_t> only = std::move(received_.front());
    received_.clear();
    return only;
  }
  std::vector<uint8_t> all;
  for (const auto& r : received_) all.insert(all.end(), r.begin(), r.end());
  received_.clear();
  return all;
}

void TlsSession::receive_into(std::span<const uint8_t> bytes, std::span<uint8_t> plaintext) {
  views_.clear();
  view_storage_.clear();
  plain_out_ = plaintext;
  plain_used_ = 0;
  into_views_ = true;
  receive(bytes);
  into_views_ = false;
  plain_out_ = {};
}

void TlsSession::close(ReleaseCause cause, std::string reason) {
  if (phase_ == Phase::kReleased) return;
  if (!ssl_) {
    send_alert(kWarning, 0);
    release_now(cause, std::move(reason));
    return;
  }
  SSL_shutdown(ssl_.get());
  if (phase_ == Phase::kOffloaded) {
    collect_openssl_output();
  } else {
    forward_openssl_output();
  }
  release_now(cause, std::move(reason));
  after_call();
}

void TlsSession::transport_closed() {
  if (phase_ == Phase::kReleased) return;
  release_now(ReleaseCause::kTransportClosed, "the transport closed without close_notify");
  after_call();
}

Result<void> TlsSession::renegotiate() {
  if (phase_ != Phase::kOffloaded || tls13_)
    return make_error(ErrorCode::kInvalidArgument, "renegotiation needs an established TLS 1.2 session");
  if (in_handshake_) return make_error(ErrorCode::kBusy, "a handshake is already in progress");
  if (SSL_renegotiate(ssl_.get()) != 1)
    return make_error(ErrorCode::kInvalidArgument, "OpenSSL refused to renegotiate: " + openssl_error_text());
  SSL_do_handshake(ssl_.get());
  collect_openssl_output();
  note_handshake_progress();
  after_call();
  return ok_result();
}

Result<void> TlsSession::update_keys(bool request_peer) {
  if (phase_ != Phase::kOffloaded || !tls13_)
    return make_error(ErrorCode::kInvalidArgument, "KeyUpdate needs an established TLS 1.3 session");
  if (!ssl_) {
    send_key_update(request_peer);
    after_call();
    return ok_result();
  }
  if (SSL_key_update(ssl_.get(), request_peer ? SSL_KEY_UPDATE_REQUESTED : SSL_KEY_UPDATE_NOT_REQUESTED) != 1) {
    return make_error(ErrorCode::kInvalidArgument, "OpenSSL refused the KeyUpdate: " + openssl_error_text());
  }
  SSL_do_handshake(ssl_.get());
  collect_openssl_output();
  note_handshake_progress();
  after_call();
  return ok_result();
}

void TlsSession::fail(ReleaseCause cause, std::string reason, int alert) {
  if (phase_ == Phase::kReleased) return;
  // A fatal alert of our own, protected on the wire slot (OpenSSL's state no longer matters).
  if (phase_ == Phase::kOffloaded && tx_.loaded()) send_alert(kFatal, static_cast<uint8_t>(alert));
  release_now(cause, std::move(reason));
}

void TlsSession::send_alert(uint8_t level, uint8_t description) {
  auto wire = tx_.run_wire(device::Job{0, 0, device::Op::kProtect, kAlert, 0, {level, description}});
  if (wire && wire->status == device::Status::kOk)
    output_.insert(output_.end(), wire->output.begin(), wire->output.end());
}

void TlsSession::release_now(ReleaseCause cause, std::string reason) {
  if (phase_ == Phase::kReleased) return;
  phase_ = Phase::kReleased;
  info_.offloaded = false;
  tx_.clear();
  rx_.clear();
  key_log_ = KeyLog();
  held_.clear();
  release_ = Release{cause, std::move(reason)};
}

void TlsSession::after_call() {
  ERR_clear_error();
  // A released session keeps no OpenSSL state (its SSL object holds the master secret).
  if (phase_ == Phase::kReleased) ssl_.reset();
}

TlsSession::Info TlsSession::info() const {
  Info i = info_;
  if (phase_ == Phase::kOffloaded) {
    i.tx_slot = tx_.slot_index();
    i.rx_slot = rx_.slot_index();
  }
  return i;
}

}  // namespace mediasec::tls
