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
void print_contexts(std::ostream& out, const nlohmann::json& contexts);
void print_sessions(std::ostream& out, const nlohmann::json& sessions);

}  // namespace mediasec::app
