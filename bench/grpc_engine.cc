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

namespace tracktry::bench {

// One outstanding RPC. The typed part (request, response, reader) lives in
// TypedCall; the completion queue tag is the Call*.
struct GrpcEngine::Call {
  virtual ~Call() = default;
  Op op = Op::kGet;
  int64_t key = 0;
  int64_t start_ns = 0;
  grpc::ClientContext context;
  grpc::Status status;
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
struct TypedCall final : GrpcEngine::Call {
  Request request;
  Response response;
  std::unique_ptr<grpc::ClientAsyncResponseReader<Response>> reader;
};

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
          "BC", absl::Hex(static_cast<uint32_t>(MonotonicNanos())))) {
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

template <typename Request, typename Response, typename Prepare>
void GrpcEngine::Launch(std::unique_ptr<Call> base, Request request,
                        Prepare prepare) {
  auto* call = static_cast<TypedCall<Request, Response>*>(base.get());
  call->request = std::move(request);
  call->context.set_deadline(std::chrono::system_clock::now() +
                             absl::ToChronoNanoseconds(options_.timeout));
  call->reader = prepare(&call->context, call->request, &cq_);
  call->reader->StartCall();
  call->reader->Finish(&call->response, &call->status, call);
  calls_.insert(base.release());
}

void GrpcEngine::Start(const WorkItem& item, int64_t start_ns) {
  const size_t channel = next_channel_++ % stubs_.size();
  v1::TrackingService::Stub* stub = stubs_[channel].get();
  const auto make = [&](auto* typed) {
    std::unique_ptr<Call> call(typed);
    call->op = item.op;
    call->key = item.key;
    call->start_ns = start_ns;
    return call;
  };
  switch (item.op) {
    case Op::kGet: {
      using C = TypedCall<v1::GetTrackingRequest, v1::GetTrackingResponse>;
      v1::GetTrackingRequest request;
      request.set_carrier_code(options_.carrier);
      request.set_tracking_number(
          TrackingNumber(options_.number_prefix, item.key));
      request.set_bypass_cache(options_.bypass_cache);
      Launch<v1::GetTrackingRequest, v1::GetTrackingResponse>(
          make(new C), std::move(request),
          [stub](grpc::ClientContext* c, const v1::GetTrackingRequest& r,
                 grpc::CompletionQueue* q) {
            return stub->PrepareAsyncGetTracking(c, r, q);
          });
      break;
    }
    case Op::kList: {
      using C = TypedCall<v1::ListTrackingsRequest, v1::ListTrackingsResponse>;
      v1::ListTrackingsRequest request;
      request.set_page_size(options_.page_size);
      Launch<v1::ListTrackingsRequest, v1::ListTrackingsResponse>(
          make(new C), std::move(request),
          [stub](grpc::ClientContext* c, const v1::ListTrackingsRequest& r,
                 grpc::CompletionQueue* q) {
            return stub->PrepareAsyncListTrackings(c, r, q);
          });
      break;
    }
    case Op::kCreate: {
      using C =
          TypedCall<v1::CreateTrackingRequest, v1::CreateTrackingResponse>;
      v1::CreateTrackingRequest request;
      FillNewTracking(request.mutable_tracking(), options_.carrier,
                      TrackingNumber(create_nonce_, item.key));
      Launch<v1::CreateTrackingRequest, v1::CreateTrackingResponse>(
          make(new C), std::move(request),
          [stub](grpc::ClientContext* c, const v1::CreateTrackingRequest& r,
                 grpc::CompletionQueue* q) {
            return stub->PrepareAsyncCreateTracking(c, r, q);
          });
      break;
    }
    case Op::kCarriers: {
      using C = TypedCall<v1::ListCarriersRequest, v1::ListCarriersResponse>;
      v1::ListCarriersRequest request;
      request.set_bypass_cache(options_.bypass_cache);
      Launch<v1::ListCarriersRequest, v1::ListCarriersResponse>(
          make(new C), std::move(request),
          [stub](grpc::ClientContext* c, const v1::ListCarriersRequest& r,
                 grpc::CompletionQueue* q) {
            return stub->PrepareAsyncListCarriers(c, r, q);
          });
      break;
    }
    case Op::kDetect: {
      using C = TypedCall<v1::DetectCarrierRequest, v1::DetectCarrierResponse>;
      v1::DetectCarrierRequest request;
      request.set_tracking_number(
          TrackingNumber(options_.number_prefix, item.key));
      request.set_carrier_code(options_.carrier);
      Launch<v1::DetectCarrierRequest, v1::DetectCarrierResponse>(
          make(new C), std::move(request),
          [stub](grpc::ClientContext* c, const v1::DetectCarrierRequest& r,
                 grpc::CompletionQueue* q) {
            return stub->PrepareAsyncDetectCarrier(c, r, q);
          });
      break;
    }
    case Op::kRealtime: {
      using C = TypedCall<v1::GetRealtimeTrackingRequest,
                          v1::GetRealtimeTrackingResponse>;
      v1::GetRealtimeTrackingRequest request;
      request.set_carrier_code(options_.carrier);
      request.set_tracking_number(
          TrackingNumber(options_.number_prefix, item.key));
      Launch<v1::GetRealtimeTrackingRequest, v1::GetRealtimeTrackingResponse>(
          make(new C), std::move(request),
          [stub](grpc::ClientContext* c,
                 const v1::GetRealtimeTrackingRequest& r,
                 grpc::CompletionQueue* q) {
            return stub->PrepareAsyncGetRealtimeTracking(c, r, q);
          });
      break;
    }
    case Op::kBatch: {
      using C = TypedCall<v1::BatchCreateTrackingsRequest,
                          v1::BatchCreateTrackingsResponse>;
      v1::BatchCreateTrackingsRequest request;
      for (int i = 0; i < options_.batch_items; ++i) {
        const int64_t index =
            (item.key * options_.batch_items + i) % options_.numbers;
        FillNewTracking(request.add_trackings(), options_.carrier,
                        TrackingNumber(options_.number_prefix, index));
      }
      Launch<v1::BatchCreateTrackingsRequest, v1::BatchCreateTrackingsResponse>(
          make(new C), std::move(request),
          [stub](grpc::ClientContext* c,
                 const v1::BatchCreateTrackingsRequest& r,
                 grpc::CompletionQueue* q) {
            return stub->PrepareAsyncBatchCreateTrackings(c, r, q);
          });
      break;
    }
    case Op::kHealth: {
      using C = TypedCall<grpc::health::v1::HealthCheckRequest,
                          grpc::health::v1::HealthCheckResponse>;
      grpc::health::v1::Health::Stub* health = health_stubs_[channel].get();
      grpc::health::v1::HealthCheckRequest request;
      request.set_service("tracktry.v1.TrackingService");
      Launch<grpc::health::v1::HealthCheckRequest,
             grpc::health::v1::HealthCheckResponse>(
          make(new C), std::move(request),
          [health](grpc::ClientContext* c,
                   const grpc::health::v1::HealthCheckRequest& r,
                   grpc::CompletionQueue* q) {
            return health->PrepareAsyncCheck(c, r, q);
          });
      break;
    }
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
    std::unique_ptr<Call> call(static_cast<Call*>(tag));
    if (call->wake) {
      armed_ns_ = -1;  // spent: the next Poll() arms it again
      wait = gpr_time_0(GPR_CLOCK_MONOTONIC);
      continue;
    }
    calls_.erase(call.get());
    Completion completion;
    completion.op = call->op;
    completion.key = call->key;
    completion.start_ns = call->start_ns;
    completion.end_ns = MonotonicNanos();
    completion.code = CodeName(call->status.error_code());
    done(completion);
    // Collect whatever else is ready without waiting.
    wait = gpr_time_0(GPR_CLOCK_MONOTONIC);
  }
}

void GrpcEngine::CancelAll() {
  for (Call* call : calls_) call->context.TryCancel();
}

}  // namespace tracktry::bench
