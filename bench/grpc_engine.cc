// Copyright 2026 The tracktry-grpc Authors.
#include "bench/grpc_engine.h"

#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/strings/str_cat.h"
#include "bench/key_space.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace tracktry::bench {

// One outstanding RPC; the completion queue tag is the Call*. The typed
// parts (request, response, reader) live in the subclasses below.
struct GrpcEngine::Call {
  virtual ~Call() = default;
  // Handles this tag's completion-queue event; true when the RPC is over
  // (`status` final), false when it posted a further operation.
  virtual bool Proceed(bool /*ok*/) { return true; }
  Op op = Op::kGet;
  int64_t key = 0;
  int64_t start_ns = 0;
  int64_t deadline_ns = 0;
  size_t channel = 0;
  bool repeat = false;
  grpc::ClientContext context;
  grpc::Status status;
  // Stream messages received (watch).
  int64_t messages = 0;
  // A waker tag, not an RPC.
  bool wake = false;
};

namespace {

// The tag the waker posts: an alarm due at once.
struct WakeCall final : GrpcEngine::Call {
  grpc::Alarm alarm;
};

// Wakes cut short by more precise ones within this much are not re-armed.
constexpr int64_t kCoarseSlackNs = 2'000'000;

template <typename Request, typename Response>
struct UnaryCall final : GrpcEngine::Call {
  Request request;
  Response response;
  std::unique_ptr<grpc::ClientAsyncResponseReader<Response>> reader;
};

// WatchTracking: StartCall, then Read until it fails, then Finish; one
// operation outstanding at a time, all tagged with the call.
struct WatchCall final : GrpcEngine::Call {
  enum class Stage { kStart, kRead, kFinish };
  bool Proceed(bool ok) override {
    switch (stage) {
      case Stage::kStart:
      case Stage::kRead:
        if (ok) {
          if (stage == Stage::kRead) ++messages;
          stage = Stage::kRead;
          reader->Read(&response, this);
          return false;
        }
        stage = Stage::kFinish;
        reader->Finish(&status, this);
        return false;
      case Stage::kFinish:
        return true;
    }
    return true;
  }
  Stage stage = Stage::kStart;
  v1::WatchTrackingRequest request;
  v1::WatchTrackingResponse response;
  std::unique_ptr<grpc::ClientAsyncReader<v1::WatchTrackingResponse>> reader;
};

using CreateCall =
    UnaryCall<v1::CreateTrackingRequest, v1::CreateTrackingResponse>;
using BatchCall = UnaryCall<v1::BatchCreateTrackingsRequest,
                            v1::BatchCreateTrackingsResponse>;

// The ErrorInfo reason in a failed status's details, "" if none.
std::string ErrorReason(const grpc::Status& status) {
  if (status.ok() || status.error_details().empty()) return "";
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return "";
  for (const google::protobuf::Any& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "INVALID_CODE";
  }
}

gpr_timespec MonotonicDeadline(int64_t deadline_ns) {
  // At most 100 ms per wait: the caller loops, and deadlines may be "never".
  const int64_t delta =
      std::clamp<int64_t>(deadline_ns - MonotonicNanos(), 0, 100'000'000);
  return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                      gpr_time_from_nanos(delta, GPR_TIMESPAN));
}

void FillNewTracking(v1::NewTracking* tracking, const std::string& carrier,
                     std::string number) {
  tracking->set_carrier_code(carrier);
  tracking->set_tracking_number(std::move(number));
}

}  // namespace

GrpcEngine::GrpcEngine(const LoadgenOptions& options)
    : options_(options),
      create_nonce_(absl::StrCat(
          "BC", absl::Hex(static_cast<uint32_t>(MonotonicNanos())))),
      batch_nonce_(absl::StrCat("FB", create_nonce_.substr(2))) {
  for (int i = 0; i < options.channels; ++i) {
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(-1);
    // A distinct argument per channel keeps their subchannels (and so their
    // TCP connections) apart.
    args.SetInt("tracktry.bench.channel", i);
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    auto channel = grpc::CreateCustomChannel(
        options.target, grpc::InsecureChannelCredentials(), args);
    stubs_.push_back(v1::TrackingService::NewStub(channel));
    health_stubs_.push_back(grpc::health::v1::Health::NewStub(channel));
    channels_.push_back(std::move(channel));
  }
  timer_fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  if (timer_fd_ < 0) {
    std::perror("tracktry-loadgen: timerfd_create");
    std::abort();
  }
  waker_ = std::thread([this] { WakerLoop(); });
}

void GrpcEngine::WakerLoop() {
  while (true) {
    uint64_t expirations = 0;
    if (read(timer_fd_, &expirations, sizeof(expirations)) < 0) continue;
    if (stopping_.load()) return;
    auto* wake = new WakeCall;
    wake->wake = true;
    wake->alarm.Set(&cq_, gpr_time_0(GPR_CLOCK_MONOTONIC), wake);
  }
}

void GrpcEngine::ArmWake(int64_t deadline_ns) {
  if (deadline_ns == armed_ns_) return;
  armed_ns_ = deadline_ns;
  struct itimerspec spec = {};
  // 0 would disarm the timer; a past deadline fires at once.
  const int64_t at = std::max<int64_t>(deadline_ns, 1);
  spec.it_value.tv_sec = static_cast<time_t>(at / 1'000'000'000);
  spec.it_value.tv_nsec = static_cast<long>(at % 1'000'000'000);  // NOLINT
  timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &spec, nullptr);
}

GrpcEngine::~GrpcEngine() {
  stopping_.store(true);
  armed_ns_ = -1;
  ArmWake(0);  // fires at once; the waker sees stopping_ and returns
  waker_.join();
  close(timer_fd_);
  CancelAll();
  const int64_t deadline = MonotonicNanos() + 5'000'000'000;
  while (!calls_.empty() && MonotonicNanos() < deadline) {
    Poll(deadline, [](const Completion&) {});
  }
  cq_.Shutdown();
  void* tag;
  bool ok;
  while (cq_.Next(&tag, &ok)) {
    delete static_cast<Call*>(tag);
  }
}

bool GrpcEngine::WaitForConnected(absl::Duration timeout) {
  const auto deadline =
      std::chrono::system_clock::now() + absl::ToChronoNanoseconds(timeout);
  for (auto& channel : channels_) {
    if (!channel->WaitForConnected(deadline)) return false;
  }
  return true;
}

template <typename Stub, typename Request, typename Response>
void GrpcEngine::Launch(
    Op op, int64_t key, int64_t start_ns, size_t channel, bool repeat,
    Stub* stub,
    std::unique_ptr<grpc::ClientAsyncResponseReader<Response>> (Stub::*prepare)(
        grpc::ClientContext*, const Request&, grpc::CompletionQueue*),
    Request request) {
  auto* call = new UnaryCall<Request, Response>;
  call->op = op;
  call->key = key;
  call->start_ns = start_ns;
  call->channel = channel;
  call->repeat = repeat;
  call->request = std::move(request);
  call->deadline_ns =
      MonotonicNanos() + absl::ToInt64Nanoseconds(options_.timeout);
  call->context.set_deadline(std::chrono::system_clock::now() +
                             absl::ToChronoNanoseconds(options_.timeout));
  call->reader = (stub->*prepare)(&call->context, call->request, &cq_);
  call->reader->StartCall();
  call->reader->Finish(&call->response, &call->status, call);
  calls_.insert(call);
}

void GrpcEngine::StartWatch(const WorkItem& item, int64_t start_ns,
                            size_t channel) {
  auto* call = new WatchCall;
  call->op = item.op;
  call->key = item.key;
  call->start_ns = start_ns;
  call->channel = channel;
  call->request.set_carrier_code(options_.carrier);
  call->request.set_tracking_number(
      TrackingNumber(options_.number_prefix, item.key));
  call->deadline_ns =
      MonotonicNanos() + absl::ToInt64Nanoseconds(options_.watch_hold);
  call->context.set_deadline(std::chrono::system_clock::now() +
                             absl::ToChronoNanoseconds(options_.watch_hold));
  call->reader = stubs_[channel]->PrepareAsyncWatchTracking(
      &call->context, call->request, &cq_);
  call->reader->StartCall(call);
  calls_.insert(call);
}

std::string GrpcEngine::RequestId(const char* op, int64_t key) const {
  return absl::StrCat("loadgen-", create_nonce_, "-", op, "-", key);
}

void GrpcEngine::Start(const WorkItem& item, int64_t start_ns) {
  using Stub = v1::TrackingService::Stub;
  const size_t channel = next_channel_++ % stubs_.size();
  Stub* stub = stubs_[channel].get();
  const Op op = item.op;
  switch (op) {
    case Op::kGet: {
      v1::GetTrackingRequest request;
      request.set_carrier_code(options_.carrier);
      request.set_tracking_number(
          TrackingNumber(options_.number_prefix, item.key));
      request.set_bypass_cache(options_.bypass_cache);
      if (options_.full_view) request.set_view(v1::TRACKING_VIEW_FULL);
      Launch(op, item.key, start_ns, channel, false, stub,
             &Stub::PrepareAsyncGetTracking, std::move(request));
      break;
    }
    case Op::kList: {
      v1::ListTrackingsRequest request;
      request.set_page_size(options_.page_size);
      if (options_.full_view) request.set_view(v1::TRACKING_VIEW_FULL);
      Launch(op, item.key, start_ns, channel, false, stub,
             &Stub::PrepareAsyncListTrackings, std::move(request));
      break;
    }
    case Op::kCreate: {
      v1::CreateTrackingRequest request;
      FillNewTracking(request.mutable_tracking(), options_.carrier,
                      TrackingNumber(create_nonce_, item.key));
      if (options_.request_ids) {
        request.set_request_id(RequestId("create", item.key));
      }
      Launch(op, item.key, start_ns, channel, false, stub,
             &Stub::PrepareAsyncCreateTracking, std::move(request));
      break;
    }
    case Op::kUpdate: {
      v1::UpdateTrackingRequest request;
      request.set_carrier_code(options_.carrier);
      request.set_tracking_number(
          TrackingNumber(options_.number_prefix, item.key));
      request.mutable_tracking()->set_title(
          absl::StrCat("loadgen ", update_counter_++));
      request.mutable_update_mask()->add_paths("title");
      Launch(op, item.key, start_ns, channel, false, stub,
             &Stub::PrepareAsyncUpdateTracking, std::move(request));
      break;
    }
    case Op::kCarriers: {
      v1::ListCarriersRequest request;
      request.set_bypass_cache(options_.bypass_cache);
      Launch(op, item.key, start_ns, channel, false, stub,
             &Stub::PrepareAsyncListCarriers, std::move(request));
      break;
    }
    case Op::kDetect: {
      v1::DetectCarrierRequest request;
      request.set_tracking_number(
          TrackingNumber(options_.number_prefix, item.key));
      request.set_carrier_code(options_.carrier);
      Launch(op, item.key, start_ns, channel, false, stub,
             &Stub::PrepareAsyncDetectCarrier, std::move(request));
      break;
    }
    case Op::kRealtime: {
      v1::GetRealtimeTrackingRequest request;
      request.set_carrier_code(options_.carrier);
      request.set_tracking_number(
          TrackingNumber(options_.number_prefix, item.key));
      Launch(op, item.key, start_ns, channel, false, stub,
             &Stub::PrepareAsyncGetRealtimeTracking, std::move(request));
      break;
    }
    case Op::kBatch: {
      v1::BatchCreateTrackingsRequest request;
      for (int i = 0; i < options_.batch_items; ++i) {
        const int64_t index = item.key * options_.batch_items + i;
        FillNewTracking(request.add_trackings(), options_.carrier,
                        options_.fresh_batches
                            ? TrackingNumber(batch_nonce_, index)
                            : TrackingNumber(options_.number_prefix,
                                             index % options_.numbers));
      }
      if (options_.request_ids) {
        request.set_request_id(RequestId("batch", item.key));
      }
      Launch(op, item.key, start_ns, channel, false, stub,
             &Stub::PrepareAsyncBatchCreateTrackings, std::move(request));
      break;
    }
    case Op::kWatch:
      StartWatch(item, start_ns, channel);
      break;
    case Op::kHealth: {
      grpc::health::v1::HealthCheckRequest request;
      request.set_service("tracktry.v1.TrackingService");
      Launch(op, item.key, start_ns, channel, false,
             health_stubs_[channel].get(),
             &grpc::health::v1::Health::Stub::PrepareAsyncCheck,
             std::move(request));
      break;
    }
  }
}

void GrpcEngine::MaybeRepeat(const Call& call, const std::string& reason) {
  if (!options_.repeat_unknown || call.repeat || cancelled_ ||
      call.status.error_code() != grpc::StatusCode::UNAVAILABLE ||
      reason != "UPSTREAM_OUTCOME_UNKNOWN") {
    return;
  }
  using Stub = v1::TrackingService::Stub;
  Stub* stub = stubs_[call.channel].get();
  // The repeat's latency counts from now.
  const int64_t now = MonotonicNanos();
  if (call.op == Op::kCreate) {
    Launch(call.op, call.key, now, call.channel, true, stub,
           &Stub::PrepareAsyncCreateTracking,
           static_cast<const CreateCall&>(call).request);
  } else if (call.op == Op::kBatch) {
    Launch(call.op, call.key, now, call.channel, true, stub,
           &Stub::PrepareAsyncBatchCreateTrackings,
           static_cast<const BatchCall&>(call).request);
  }
}

void GrpcEngine::Poll(int64_t deadline_ns, CompletionFn done) {
  void* tag = nullptr;
  bool ok = false;
  // The waker ends the wait at the deadline to the microsecond; the queue's
  // own (millisecond) deadline only backs it up.
  const bool precise = deadline_ns - MonotonicNanos() < 100'000'000;
  if (precise) ArmWake(deadline_ns);
  gpr_timespec wait =
      MonotonicDeadline(precise ? deadline_ns + kCoarseSlackNs : deadline_ns);
  while (true) {
    const grpc::CompletionQueue::NextStatus next =
        cq_.AsyncNext(&tag, &ok, wait);
    if (next != grpc::CompletionQueue::GOT_EVENT) return;
    auto* raw = static_cast<Call*>(tag);
    if (raw->wake) {
      delete raw;
      armed_ns_ = -1;  // spent: the next Poll() arms it again
      wait = gpr_time_0(GPR_CLOCK_MONOTONIC);
      continue;
    }
    // Collect whatever else is ready without waiting.
    wait = gpr_time_0(GPR_CLOCK_MONOTONIC);
    if (!raw->Proceed(ok)) continue;  // a stream with more to do
    std::unique_ptr<Call> call(raw);
    calls_.erase(raw);
    Completion completion;
    completion.op = call->op;
    completion.key = call->key;
    completion.start_ns = call->start_ns;
    completion.end_ns = MonotonicNanos();
    completion.deadline_ns = call->deadline_ns;
    completion.repeat = call->repeat;
    completion.code = CodeName(call->status.error_code());
    completion.reason = ErrorReason(call->status);
    if (call->op == Op::kWatch) {
      completion.stream = true;
      // Held until its deadline with its first message delivered: the
      // watch did its job.
      if (call->status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED &&
          call->messages > 0) {
        completion.code = "OK";
        completion.reason.clear();
      }
    }
    MaybeRepeat(*call, completion.reason);
    done(completion);
  }
}

void GrpcEngine::CancelAll() {
  cancelled_ = true;  // no repeats from here on
  for (Call* call : calls_) call->context.TryCancel();
}

}  // namespace tracktry::bench
