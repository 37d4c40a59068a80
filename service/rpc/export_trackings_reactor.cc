// Copyright 2026 The tracktry-grpc Authors.
#include "service/rpc/export_trackings_reactor.h"

#include <memory>
#include <string>
#include <utility>

#include "common/error_details.h"
#include "service/errors/grpc_status.h"
#include "service/translation/list_page.h"
#include "service/translation/list_translation.h"
#include "service/translation/request_translation.h"

namespace tracktry {
namespace {

// Callers' deadlines further out than this count as "no deadline".
constexpr absl::Duration kNoDeadlineThreshold = absl::Hours(24 * 365);

// Tracktry answers meta.code 4031 for an empty page.
constexpr int kMetaEmpty = 4031;

}  // namespace

ExportTrackingsReactor::ExportTrackingsReactor(
    grpc::CallbackServerContext* context, UpstreamCaller* upstream,
    RpcObserver* observer, v1::ListTrackingsRequest filter, ExportCursor start,
    absl::Duration page_timeout)
    : upstream_(upstream),
      observer_(observer),
      filter_(std::move(filter)),
      page_timeout_(page_timeout),
      start_time_(absl::Now()),
      cursor_(start) {
  const absl::Time caller_deadline = absl::FromChrono(context->deadline());
  rpc_deadline_ = caller_deadline - start_time_ > kNoDeadlineThreshold
                      ? absl::InfiniteFuture()
                      : caller_deadline;
  if (observer_ != nullptr) observer_->OnRpcStarted("ExportTrackings");
}

void ExportTrackingsReactor::Start() {
  // FetchPage() may Finish(), which may run OnDone() inline.
  refs_.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    FetchPage();
  }
  Unref();
}

void ExportTrackingsReactor::Fail(const absl::Status& status) {
  refs_.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    FinishLocked(status);
  }
  Unref();
}

void ExportTrackingsReactor::FetchPage() {
  if (finished_) return;
  const absl::Time now = absl::Now();
  const absl::Time deadline = rpc_deadline_ == absl::InfiniteFuture()
                                  ? now + page_timeout_
                                  : rpc_deadline_;
  if (deadline <= now) {
    FinishLocked(MakeError(absl::StatusCode::kDeadlineExceeded,
                           "deadline exceeded before the next page",
                           "DEADLINE_EXCEEDED"));
    return;
  }
  UpstreamRequest request;
  request.endpoint = Endpoint::kListTrackings;
  request.method = "GET";
  request.path = "/trackings/get";
  request.query =
      ListTrackingsQuery(filter_, cursor_.page.page, cursor_.page.page_size);
  ++upstream_calls_;
  refs_.fetch_add(1, std::memory_order_relaxed);
  auto id_slot = std::make_shared<UpstreamCaller::CallId>(0);
  auto done = std::make_shared<bool>(false);
  const UpstreamCaller::CallId id =
      upstream_->Send(std::move(request), deadline,
                      [this, id_slot, done](absl::StatusOr<Envelope> result) {
                        {
                          std::lock_guard<std::recursive_mutex> lock(mu_);
                          *done = true;
                          if (in_flight_ == *id_slot) in_flight_.reset();
                          OnPage(std::move(result));
                        }
                        Unref();
                      });
  *id_slot = id;
  // The completion may already have run (it waits on mu_ otherwise).
  if (!*done) in_flight_ = id;
}

void ExportTrackingsReactor::OnPage(absl::StatusOr<Envelope> envelope) {
  if (finished_) return;
  if (!envelope.ok()) return FinishLocked(envelope.status());
  items_.clear();
  next_item_ = 0;
  more_pages_ = false;
  if (envelope->meta_code != kMetaEmpty) {
    absl::StatusOr<ListPage> page = ListPageFromData(envelope->data);
    if (!page.ok()) return FinishLocked(page.status());
    const int64_t returned = static_cast<int64_t>(page->items.size());
    total_ = page->total;
    more_pages_ =
        returned > 0 &&
        (page->total > 0
             ? cursor_.page.page * cursor_.page.page_size < page->total
             : returned >= cursor_.page.page_size);
    // Resuming inside a page: drop what the previous export already sent.
    const int64_t skip = std::min(cursor_.skip, returned);
    skip_base_ = skip;
    for (int64_t i = skip; i < returned; ++i) {
      items_.push_back(std::move(page->items[i]));
    }
  }
  WriteNextOrFetch();
}

void ExportTrackingsReactor::WriteNextOrFetch() {
  if (finished_) return;
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
  refs_.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard<std::recursive_mutex> lock(mu_);
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
  refs_.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    FinishLocked(MakeError(absl::StatusCode::kCancelled,
                           "the call was cancelled or its deadline passed",
                           "CANCELLED"));
  }
  Unref();
}

void ExportTrackingsReactor::FinishLocked(const absl::Status& status) {
  if (finished_) return;
  finished_ = true;
  final_code_ = status.code();
  if (in_flight_.has_value()) upstream_->Cancel(*in_flight_);
  Finish(ToGrpcStatus(status));
}

void ExportTrackingsReactor::OnDone() {
  if (observer_ != nullptr) {
    RpcRecord record;
    record.method = "ExportTrackings";
    {
      std::lock_guard<std::recursive_mutex> lock(mu_);
      record.code = final_code_;
      record.upstream_calls = upstream_calls_;
    }
    record.latency = absl::Now() - start_time_;
    observer_->OnRpcFinished(record);
  }
  Unref();
}

void ExportTrackingsReactor::Unref() {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

}  // namespace tracktry
