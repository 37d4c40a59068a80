// Copyright 2026 The tracktry-grpc Authors.
//
// RETURN_IF_ERROR / ASSIGN_OR_RETURN for absl::Status, which Abseil
// 20220623 does not ship. Shaped like the later ABSL_ macros so they can be
// swapped out.
#ifndef TRACKTRY_COMMON_STATUS_MACROS_H_
#define TRACKTRY_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define TRACKTRY_STATUS_CONCAT_INNER_(a, b) a##b
#define TRACKTRY_STATUS_CONCAT_(a, b) TRACKTRY_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::Status) and returns it from the enclosing
// function if it is not OK.
#define RETURN_IF_ERROR(expr)                            \
  do {                                                   \
    ::absl::Status tracktry_status_ = (expr);            \
    if (!tracktry_status_.ok()) return tracktry_status_; \
  } while (0)

// Evaluates `rexpr` (an absl::StatusOr<T>); on error returns its status,
// otherwise moves the value into `lhs` (which may be a declaration).
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  TRACKTRY_ASSIGN_OR_RETURN_IMPL_(   \
      TRACKTRY_STATUS_CONCAT_(tracktry_statusor_, __LINE__), lhs, rexpr)

#define TRACKTRY_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                    \
  if (!statusor.ok()) return std::move(statusor).status();    \
  lhs = std::move(statusor).value()

#endif  // TRACKTRY_COMMON_STATUS_MACROS_H_
