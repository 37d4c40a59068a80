// Copyright 2026 The tracktry-grpc Authors.
#include "bench/loadgen_outcomes.h"

#include "absl/strings/str_cat.h"

namespace tracktry::bench {

std::string OutcomeName(absl::string_view code, absl::string_view reason) {
  if (code == "OK" || reason.empty()) return std::string(code);
  return absl::StrCat(code, "/", reason);
}

void OutcomeTable::Record(absl::string_view op, absl::string_view outcome) {
  auto op_it = by_op_.find(op);
  if (op_it == by_op_.end())
    op_it = by_op_.emplace(std::string(op), Counts()).first;
  auto it = op_it->second.find(outcome);
  if (it == op_it->second.end()) {
    it = op_it->second.emplace(std::string(outcome), 0).first;
  }
  ++it->second;
  ++total_;
  if (outcome != "OK") ++failed_;
}

int64_t OutcomeTable::Count(absl::string_view op,
                            absl::string_view outcome) const {
  const auto op_it = by_op_.find(op);
  if (op_it == by_op_.end()) return 0;
  const auto it = op_it->second.find(outcome);
  return it == op_it->second.end() ? 0 : it->second;
}

nlohmann::json OutcomeTable::ToJson() const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [op, counts] : by_op_) {
    nlohmann::json& entry = out[op];
    entry = nlohmann::json::object();
    for (const auto& [outcome, count] : counts) entry[outcome] = count;
  }
  return out;
}

void OutcomeTable::Clear() {
  by_op_.clear();
  total_ = 0;
  failed_ = 0;
}

}  // namespace tracktry::bench
