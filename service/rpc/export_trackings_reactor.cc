// Copyright 2026 The tracktry-grpc Authors.
#include "service/rpc/export_trackings_reactor.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "common/error_details.h"
#include "service/errors/grpc_status.h"

namespace tracktry {
namespace {

// Callers' deadlines further out than this count as "no deadline".
constexpr absl::Duration kNoDeadlineThreshold = absl::Hours(24 * 365);

}  // namespace

ExportTrackingsReactor::ExportTrackingsReactor(RpcContext* context,
                                               UpstreamCaller* upstream,
                                               RpcObserver* observer,
                                               v1::ListTrackingsRequest filter,
                                               ExportCursor start,
                                               absl::Duration page_timeout)
    : WriteReactor(context),
      observer_(observer),
      filter_(std::move(filter)),
      page_timeout_(page_timeout),
      start_time_(absl::Now()),
      scope_(upstream, this),
      cursor_(start) {
  const absl::Time caller_deadline = absl::FromChrono(context->deadline());
  rpc_deadline_ = caller_deadline - start_time_ > kNoDeadlineThreshold
                      ? absl::InfiniteFuture()
                      : caller_deadline;
  if (observer_ != nullptr) observer_->OnRpcStarted("ExportTrackings");
}

void ExportTrackingsReactor::Start() {
  // A completion of FetchPage()'s call may come before it returns.
  Ref();
  {
    std::lock_guard<std::recursive_mutex> lock(scope_.mu());
    FetchPage();
  }
  Unref();
}

void ExportTrackingsReactor::Fail(const absl::Status& status) {
  Ref();
  {
    std::lock_guard<std::recursive_mutex> lock(scope_.mu());
    FinishLocked(status);
  }
  Unref();
}

void ExportTrackingsReactor::FetchPage() {
  if (scope_.finished()) return;
  const absl::Time deadline = rpc_deadline_ == absl::InfiniteFuture()
                                  ? absl::Now() + page_timeout_
                                  : rpc_deadline_;
  api::ListTrackingsPage(&scope_, filter_, cursor_.page.page,
                         cursor_.page.page_size, deadline, &page_,
                         [this](absl::Status status) { OnPage(status); });
}

void ExportTrackingsReactor::OnStartedLate() {
  FinishLocked(MakeError(absl::StatusCode::kDeadlineExceeded,
                         "deadline exceeded before the next page",
                         "DEADLINE_EXCEEDED"));
}

void ExportTrackingsReactor::OnPage(const absl::Status& status) {
  if (scope_.finished()) return;
  if (!status.ok()) return FinishLocked(status);
  items_.clear();
  next_item_ = 0;
  total_ = page_.total;
  more_pages_ = page_.more;
  // Resuming inside a page: drop what the previous export already sent.
  const int64_t returned = static_cast<int64_t>(page_.trackings.size());
  const int64_t skip = std::min(cursor_.skip, returned);
  skip_base_ = skip;
  for (int64_t i = skip; i < returned; ++i) {
    items_.push_back(std::move(page_.trackings[i]));
  }
  WriteNextOrFetch();
}

void ExportTrackingsReactor::WriteNextOrFetch() {
  if (scope_.finished()) return;
  if (next_item_ < items_.size()) {
    message_.Clear();
    *message_.mutable_tracking() = std::move(items_[next_item_]);
    ++next_item_;
    ExportCursor after = cursor_;
    after.skip = skip_base_ + static_cast<int64_t>(next_item_);
    message_.set_cursor(EncodeExportCursor(after));
    message_.set_total_size(total_);
    StartWrite(&message_);
    return;
  }
  if (!more_pages_) return FinishLocked(absl::OkStatus());
  ++cursor_.page.page;
  cursor_.skip = 0;
  FetchPage();
}

void ExportTrackingsReactor::OnWriteDone(bool ok) {
  Ref();
  {
    std::lock_guard<std::recursive_mutex> lock(scope_.mu());
    if (!ok) {
      FinishLocked(MakeError(absl::StatusCode::kCancelled,
                             "the stream was closed by the caller",
                             "CANCELLED"));
    } else {
      WriteNextOrFetch();
    }
  }
  Unref();
}

void ExportTrackingsReactor::OnCancel() {
  Ref();
  {
    std::lock_guard<std::recursive_mutex> lock(scope_.mu());
    FinishLocked(MakeError(absl::StatusCode::kCancelled,
                           "the call was cancelled or its deadline passed",
                           "CANCELLED"));
  }
  Unref();
}

void ExportTrackingsReactor::FinishLocked(const absl::Status& status) {
  if (!scope_.FinishLocked()) return;
  final_code_ = status.code();
  Finish(ToGrpcStatus(status));
}

void ExportTrackingsReactor::OnDone() {
  if (observer_ != nullptr) {
    RpcRecord record;
    record.method = "ExportTrackings";
    {
      std::lock_guard<std::recursive_mutex> lock(scope_.mu());
      record.code = final_code_;
      record.upstream_calls = scope_.calls_started();
    }
    record.latency = absl::Now() - start_time_;
    observer_->OnRpcFinished(record);
  }
  Unref();
}

void ExportTrackingsReactor::Ref() {
  refs_.fetch_add(1, std::memory_order_relaxed);
}

void ExportTrackingsReactor::Unref() {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

}  // namespace tracktry
