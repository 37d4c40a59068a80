// Copyright 2026 The tracktry-grpc Authors.
#include "bench/rpc_mix.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace tracktry::bench {
namespace {

constexpr Op kAllOps[] = {
    Op::kGet,      Op::kList,  Op::kCreate, Op::kCarriers, Op::kDetect,
    Op::kRealtime, Op::kBatch, Op::kHealth, Op::kUpdate,   Op::kWatch};

}  // namespace

const char* OpName(Op op) {
  switch (op) {
    case Op::kGet:
      return "get";
    case Op::kList:
      return "list";
    case Op::kCreate:
      return "create";
    case Op::kCarriers:
      return "carriers";
    case Op::kDetect:
      return "detect";
    case Op::kRealtime:
      return "realtime";
    case Op::kBatch:
      return "batch";
    case Op::kHealth:
      return "health";
    case Op::kUpdate:
      return "update";
    case Op::kWatch:
      return "watch";
  }
  return "unknown";
}

absl::StatusOr<RpcMix> RpcMix::Parse(absl::string_view spec) {
  RpcMix mix;
  for (absl::string_view part : absl::StrSplit(spec, ',', absl::SkipEmpty())) {
    part = absl::StripAsciiWhitespace(part);
    std::pair<absl::string_view, absl::string_view> name_weight =
        absl::StrSplit(part, absl::MaxSplits(':', 1));
    int weight = 1;
    if (!name_weight.second.empty() &&
        (!absl::SimpleAtoi(name_weight.second, &weight) || weight < 0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--rpc-mix: bad weight in '", part, "'"));
    }
    bool known = false;
    for (Op op : kAllOps) {
      if (name_weight.first == OpName(op)) {
        if (weight > 0) mix.entries_.emplace_back(op, weight);
        mix.total_ += weight;
        known = true;
        break;
      }
    }
    if (!known) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--rpc-mix: unknown operation '", name_weight.first, "'"));
    }
  }
  if (mix.total_ <= 0) {
    return absl::InvalidArgumentError("--rpc-mix: weights sum to zero");
  }
  return mix;
}

Op RpcMix::Pick(std::mt19937_64& rng) const {
  if (entries_.size() == 1) return entries_.front().first;
  int draw = static_cast<int>(rng() % static_cast<uint64_t>(total_));
  for (const auto& [op, weight] : entries_) {
    if (draw < weight) return op;
    draw -= weight;
  }
  return entries_.back().first;
}

bool RpcMix::Contains(Op op) const {
  for (const auto& entry : entries_) {
    if (entry.first == op) return true;
  }
  return false;
}

}  // namespace tracktry::bench
