// mediasecctl's readable output of what mediasecd answers: aligned columns, one row per item.
#pragma once

#include <nlohmann/json.hpp>

#include <ostream>
#include <string>
#include <vector>

namespace mediasec::app {

// Columns padded to their widest cell; the first row is the header.
void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows);

void print_status(std::ostream& out, const nlohmann::json& status);
// A device's identity as identity_json() writes it (from a backend, or from mediasecd).
void print_identity(std::ostream& out, const nlohmann::json& identity);
// mediasecd's "device" answer: the identity, then the counters and free key slots.
void print_device(std::ostream& out, const nlohmann::json& device);
void print_contexts(std::ostream& out, const nlohmann::json& contexts);
void print_sessions(std::ostream& out, const nlohmann::json& sessions);

}  // namespace mediasec::app
