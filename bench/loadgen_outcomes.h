// Copyright 2026 The tracktry-grpc Authors.
//
// OutcomeTable: calls counted by operation and outcome, where an outcome is
// "OK", a gRPC code name, or "<code>/<ErrorInfo reason>" (e.g.
// "UNAVAILABLE/UPSTREAM_UNAVAILABLE"). The load generator reports one for
// the measured window ("outcomes") and one per timeline interval; bench/soak
// decides from them which failures the injected faults explain.
#ifndef TRACKTRY_BENCH_LOADGEN_OUTCOMES_H_
#define TRACKTRY_BENCH_LOADGEN_OUTCOMES_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace tracktry::bench {

// "OK" for code "OK"; otherwise `code`, followed by "/" and `reason` when
// the reason is not empty.
std::string OutcomeName(absl::string_view code, absl::string_view reason);

// Not thread-safe: the load loop's thread records into it.
class OutcomeTable {
 public:
  void Record(absl::string_view op, absl::string_view outcome);

  // Calls recorded, and those whose outcome is not "OK".
  int64_t total() const { return total_; }
  int64_t failed() const { return failed_; }
  int64_t Count(absl::string_view op, absl::string_view outcome) const;

  // {"<op>": {"<outcome>": calls, ...}, ...}; {} when empty.
  nlohmann::json ToJson() const;

  void Clear();

 private:
  using Counts = std::map<std::string, int64_t, std::less<>>;
  std::map<std::string, Counts, std::less<>> by_op_;
  int64_t total_ = 0;
  int64_t failed_ = 0;
};

}  // namespace tracktry::bench

#endif  // TRACKTRY_BENCH_LOADGEN_OUTCOMES_H_
