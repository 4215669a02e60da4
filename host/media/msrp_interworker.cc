#include "host/media/msrp_interworker.h"

namespace mediasec::media {

Result<void, msrp::MsrpError> MsrpInterworker::feed(std::span<const uint8_t> in, std::vector<uint8_t>& out) {
  framer_.feed(in);
  for (;;) {
    auto next = framer_.next();
    if (!next) return next.error();
    if (!*next) return {};
    msrp::Message& m = **next;
    msrp::readdress(m, toward_);
    const std::string text = m.serialize();
    out.insert(out.end(), text.begin(), text.end());
    ++messages_;
  }
}

}  // namespace mediasec::media
