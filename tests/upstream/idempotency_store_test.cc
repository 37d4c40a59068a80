// Copyright 2026 The tracktry-grpc Authors.
#include "service/upstream/idempotency_store.h"

#include <atomic>
#include <memory>
#include <mutex>

#include "common/error_details.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_shared_request_records.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/upstream_test_prelude.h"
#include "tracktry/v1/tracking_service.pb.h"

namespace tracktry {
namespace {

UpstreamRequest Tagged(const std::string& key, uint64_t fingerprint,
                       int part = 0,
                       Endpoint endpoint = Endpoint::kCreateTracking) {
  UpstreamRequest request = RequestFor(endpoint);
  request.idempotency_key = key;
  request.idempotency_fingerprint = fingerprint;
  request.idempotency_part = part;
  return request;
}

class IdempotencyStoreTest : public ::testing::Test {
 protected:
  void Make(IdempotencyOptions options = IdempotencyOptions()) {
    store_ = std::make_unique<IdempotencyStore>(
        &fake_, &scheduler_, options, [this] {
          std::lock_guard<std::mutex> lock(mu_);
          return now_;
        });
  }
  void Advance(absl::Duration d) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += d;
  }
  absl::StatusOr<Envelope> Call(UpstreamRequest request) {
    ResultSlot slot;
    store_->Send(std::move(request), absl::Now() + absl::Seconds(5),
                 slot.Callback());
    return slot.Wait();
  }

  std::mutex mu_;
  absl::Time now_ = absl::FromUnixSeconds(1700000000);
  FakeUpstreamCaller fake_;
  Scheduler scheduler_;
  std::unique_ptr<IdempotencyStore> store_;
};

TEST_F(IdempotencyStoreTest, RepeatGetsTheFirstAnswerWithoutAnUpstreamCall) {
  fake_.SetResponder(Numbered());
  Make();
  EXPECT_EQ(NumberOf(Call(Tagged("CreateTracking/r1", 11))), 0);
  EXPECT_EQ(NumberOf(Call(Tagged("CreateTracking/r1", 11))), 0);
  EXPECT_EQ(NumberOf(Call(Tagged("CreateTracking/r1", 11))), 0);
  EXPECT_EQ(fake_.calls(), 1);
  EXPECT_EQ(store_->replays(), 2);
  // Another request_id is another create.
  EXPECT_EQ(NumberOf(Call(Tagged("CreateTracking/r2", 11))), 1);
  EXPECT_EQ(fake_.calls(), 2);
}

TEST_F(IdempotencyStoreTest, UntaggedCallsPassThrough) {
  fake_.SetResponder(Numbered());
  Make();
  EXPECT_EQ(NumberOf(Call(RequestFor(Endpoint::kCreateTracking))), 0);
  EXPECT_EQ(NumberOf(Call(RequestFor(Endpoint::kCreateTracking))), 1);
  EXPECT_EQ(fake_.calls(), 2);
}

TEST_F(IdempotencyStoreTest, ConcurrentRepeatWaitsForTheFirst) {
  fake_.SetResponder([](const UpstreamRequest&, int) { return Reply{}; });
  Make();
  ResultSlot first, second;
  store_->Send(Tagged("k", 1), absl::Now() + absl::Seconds(5),
               first.Callback());
  store_->Send(Tagged("k", 1), absl::Now() + absl::Seconds(5),
               second.Callback());
  ASSERT_TRUE(fake_.WaitForCalls(1));
  absl::SleepFor(absl::Milliseconds(20));
  EXPECT_EQ(fake_.calls(), 1);
  EXPECT_FALSE(second.ready());
  fake_.CompleteAll(OkEnvelope({{"n", 9}}));
  EXPECT_EQ(NumberOf(first.Wait()), 9);
  EXPECT_EQ(NumberOf(second.Wait()), 9);
  EXPECT_EQ(fake_.calls(), 1);
}

TEST_F(IdempotencyStoreTest, SameIdWithADifferentRequestIsInvalidArgument) {
  fake_.SetResponder(Numbered());
  Make();
  ASSERT_TRUE(Call(Tagged("k", 1)).ok());
  absl::StatusOr<Envelope> reused = Call(Tagged("k", 2));
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetErrorInfo(reused.status())->reason(), "REQUEST_ID_REUSED");
  auto bad_request = GetBadRequest(reused.status());
  ASSERT_TRUE(bad_request.has_value());
  EXPECT_EQ(bad_request->field_violations(0).field(), "request_id");
  EXPECT_EQ(fake_.calls(), 1);
}

TEST_F(IdempotencyStoreTest, TransientFailureIsForgottenSoARepeatTriesAgain) {
  fake_.SetResponder([](const UpstreamRequest&, int index) {
    if (index == 0) return Reply{absl::StatusOr<Envelope>(HttpError(503))};
    return Reply{absl::StatusOr<Envelope>(OkEnvelope({{"n", index}}))};
  });
  Make();
  EXPECT_EQ(Call(Tagged("k", 1)).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(NumberOf(Call(Tagged("k", 1))), 1);
  EXPECT_EQ(NumberOf(Call(Tagged("k", 1))), 1);
  EXPECT_EQ(fake_.calls(), 2);
}

TEST_F(IdempotencyStoreTest, DefiniteErrorsAreRemembered) {
  fake_.SetResponder([](const UpstreamRequest&, int) {
    return Reply{absl::StatusOr<Envelope>(MetaError(4016))};
  });
  Make();
  EXPECT_EQ(Call(Tagged("k", 1)).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Call(Tagged("k", 1)).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(fake_.calls(), 1);
  EXPECT_TRUE(IdempotencyStore::IsDefinite(MetaError(4014)));
  EXPECT_FALSE(IdempotencyStore::IsDefinite(testing::UpstreamTimeout()));
  EXPECT_FALSE(IdempotencyStore::IsDefinite(HttpError(429)));
}

TEST_F(IdempotencyStoreTest, AnswersAreForgottenAfterTheTtl) {
  fake_.SetResponder(Numbered());
  IdempotencyOptions options;
  options.ttl = absl::Minutes(10);
  Make(options);
  EXPECT_EQ(NumberOf(Call(Tagged("k", 1))), 0);
  Advance(absl::Minutes(9));
  EXPECT_EQ(NumberOf(Call(Tagged("k", 1))), 0);
  Advance(absl::Minutes(2));
  EXPECT_EQ(NumberOf(Call(Tagged("k", 1))), 1);
  // After expiry the id may even carry a different request.
  Advance(absl::Minutes(11));
  EXPECT_EQ(NumberOf(Call(Tagged("k", 2))), 2);
}

TEST_F(IdempotencyStoreTest, BatchPartsAreRememberedSeparately) {
  fake_.SetResponder([](const UpstreamRequest& request, int index) {
    if (request.idempotency_part == 1 && index < 2) {
      return Reply{absl::StatusOr<Envelope>(HttpError(502))};
    }
    return Reply{absl::StatusOr<Envelope>(OkEnvelope({{"n", index}}))};
  });
  Make();
  const std::string key = "BatchCreateTrackings/r";
  EXPECT_EQ(NumberOf(Call(Tagged(key, 5, 0, Endpoint::kBatchCreate))), 0);
  EXPECT_FALSE(Call(Tagged(key, 5, 1, Endpoint::kBatchCreate)).ok());
  // Repeat: part 0 is replayed, part 1 goes upstream again.
  EXPECT_EQ(NumberOf(Call(Tagged(key, 5, 0, Endpoint::kBatchCreate))), 0);
  EXPECT_EQ(NumberOf(Call(Tagged(key, 5, 1, Endpoint::kBatchCreate))), 2);
  EXPECT_EQ(fake_.calls(), 3);
  // A different batch under the same id is refused for every part.
  EXPECT_EQ(Call(Tagged(key, 6, 2, Endpoint::kBatchCreate)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(IdempotencyStoreTest, OldestIdsAreForgottenBeyondTheBound) {
  fake_.SetResponder(Numbered());
  IdempotencyOptions options;
  options.max_keys = 3;
  Make(options);
  for (int i = 0; i < 5; ++i)
    Call(Tagged("k" + std::to_string(i), 1)).status().IgnoreError();
  EXPECT_LE(store_->size(), 4u);
  EXPECT_EQ(NumberOf(Call(Tagged("k4", 1))), 4);  // Still remembered.
  EXPECT_EQ(NumberOf(Call(Tagged("k0", 1))), 5);  // Forgotten: upstream.
}

TEST_F(IdempotencyStoreTest, CancelledOnlyWaiterCancelsTheUpstreamCall) {
  fake_.SetResponder([](const UpstreamRequest&, int) { return Reply{}; });
  Make();
  ResultSlot first, second;
  const auto first_id = store_->Send(
      Tagged("k", 1), absl::Now() + absl::Seconds(5), first.Callback());
  const auto second_id = store_->Send(
      Tagged("k", 1), absl::Now() + absl::Seconds(5), second.Callback());
  ASSERT_TRUE(fake_.WaitForCalls(1));
  store_->Cancel(first_id);
  EXPECT_EQ(first.Wait().status().code(), absl::StatusCode::kCancelled);
  EXPECT_TRUE(fake_.cancelled().empty());  // `second` still waits.
  store_->Cancel(second_id);
  EXPECT_EQ(second.Wait().status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(fake_.cancelled().size(), 1u);
  // The cancelled create's outcome is unknown: a repeat tries again.
  fake_.SetResponder(Numbered());
  EXPECT_EQ(NumberOf(Call(Tagged("k", 1))), 1);
}

TEST_F(IdempotencyStoreTest, DestructionCancelsRunningCalls) {
  fake_.SetResponder([](const UpstreamRequest&, int) { return Reply{}; });
  Make();
  ResultSlot tagged, plain;
  store_->Send(Tagged("k", 1), absl::Now() + absl::Seconds(30),
               tagged.Callback());
  store_->Send(RequestFor(Endpoint::kDeleteTracking),
               absl::Now() + absl::Seconds(30), plain.Callback());
  ASSERT_TRUE(fake_.WaitForCalls(2));
  store_.reset();
  ASSERT_TRUE(tagged.ready());
  ASSERT_TRUE(plain.ready());
  EXPECT_EQ(plain.Wait().status().code(), absl::StatusCode::kCancelled);
}

// --- Fleet mode: request_id records shared with the other replicas. ---

using testing::FakeSharedRequestRecords;
using State = SharedRequestRecords::State;

class IdempotencyStoreFleetTest : public IdempotencyStoreTest {
 protected:
  void MakeShared() {
    Make();
    store_->SetSharedRecords(&records_);
  }
  FakeSharedRequestRecords records_;
};

TEST_F(IdempotencyStoreFleetTest, FirstRunStoresItsAnswerBeforeAnswering) {
  fake_.SetResponder(Numbered());
  records_.SetScript([](const SharedRequestRecords::Record&) {
    return FakeSharedRequestRecords::State(State::kFirst);
  });
  records_.HoldFinishes(true);
  MakeShared();
  ResultSlot slot;
  store_->Send(Tagged("CreateTracking/f1", 5, 2),
               absl::Now() + absl::Seconds(5), slot.Callback());
  ASSERT_TRUE(
      records_.WaitFor([&] { return records_.finishes_locked() == 1; }));
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_FALSE(slot.ready());  // Not before the record is stored.
  const auto finish = records_.finishes()[0];
  EXPECT_EQ(finish.record.key, "CreateTracking/f1");
  EXPECT_EQ(finish.record.fingerprint, 5u);
  EXPECT_EQ(finish.record.part, 2);
  EXPECT_EQ(finish.token, 31u);
  EXPECT_EQ(NumberOf(finish.result), 0);
  records_.ReleaseFinishes();
  EXPECT_EQ(NumberOf(slot.Wait()), 0);
  // A repeat here is replayed locally, without asking the tier.
  EXPECT_EQ(NumberOf(Call(Tagged("CreateTracking/f1", 5, 2))), 0);
  EXPECT_EQ(records_.begins().size(), 1u);
  EXPECT_EQ(fake_.calls(), 1);
}

TEST_F(IdempotencyStoreFleetTest, AnswerOfAnotherReplicaIsReplayed) {
  fake_.SetResponder(Numbered());
  records_.SetScript([](const SharedRequestRecords::Record&) {
    return FakeSharedRequestRecords::Done(OkEnvelope({{"n", 99}}));
  });
  MakeShared();
  EXPECT_EQ(NumberOf(Call(Tagged("CreateTracking/f2", 5))), 99);
  EXPECT_EQ(NumberOf(Call(Tagged("CreateTracking/f2", 5))), 99);
  EXPECT_EQ(fake_.calls(), 0);
  EXPECT_EQ(store_->replays(), 2);
}

TEST_F(IdempotencyStoreFleetTest, ReusedElsewhereIsRequestIdReused) {
  fake_.SetResponder(Numbered());
  records_.SetScript([](const SharedRequestRecords::Record&) {
    return FakeSharedRequestRecords::State(State::kReused);
  });
  MakeShared();
  const absl::Status status = Call(Tagged("CreateTracking/f3", 5)).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(GetErrorInfo(status)->reason(), "REQUEST_ID_REUSED");
  EXPECT_EQ(fake_.calls(), 0);
  EXPECT_EQ(store_->size(), 0u);
}

TEST_F(IdempotencyStoreFleetTest, RunningElsewhereIsWaitedFor) {
  fake_.SetResponder(Numbered());
  std::atomic<bool> finished{false};
  records_.SetScript([&](const SharedRequestRecords::Record&) {
    return finished ? FakeSharedRequestRecords::Done(OkEnvelope({{"n", 7}}))
                    : FakeSharedRequestRecords::State(State::kRunning);
  });
  MakeShared();
  ResultSlot first;
  ResultSlot second;
  store_->Send(Tagged("CreateTracking/f4", 5), absl::Now() + absl::Seconds(5),
               first.Callback());
  store_->Send(Tagged("CreateTracking/f4", 5), absl::Now() + absl::Seconds(5),
               second.Callback());
  ASSERT_TRUE(
      records_.WaitFor([&] { return records_.pending_waits_locked() == 1; }));
  EXPECT_EQ(records_.begins().size(), 1u);  // Local repeats join.
  finished = true;
  records_.WakeAll(SharedRequestRecords::Wake::kFinished);
  EXPECT_EQ(NumberOf(first.Wait()), 7);
  EXPECT_EQ(NumberOf(second.Wait()), 7);
  EXPECT_EQ(fake_.calls(), 0);
}

TEST_F(IdempotencyStoreFleetTest, RunnerGoneOrTierLostRunsItHere) {
  fake_.SetResponder(Numbered());
  std::atomic<int> begins{0};
  records_.SetScript([&](const SharedRequestRecords::Record&) {
    // Running elsewhere, then (the runner's lease ran out) ours to run.
    return begins.fetch_add(1) == 0
               ? FakeSharedRequestRecords::State(State::kRunning)
               : FakeSharedRequestRecords::State(State::kFirst);
  });
  MakeShared();
  ResultSlot slot;
  store_->Send(Tagged("CreateTracking/f5", 5), absl::Now() + absl::Seconds(5),
               slot.Callback());
  ASSERT_TRUE(
      records_.WaitFor([&] { return records_.pending_waits_locked() == 1; }));
  records_.WakeAll(SharedRequestRecords::Wake::kExpired);
  EXPECT_EQ(NumberOf(slot.Wait()), 0);
  EXPECT_EQ(fake_.calls(), 1);
  EXPECT_EQ(records_.finishes().size(), 1u);
  // The tier lost: decided here.
  begins = 0;
  ResultSlot lost;
  store_->Send(Tagged("CreateTracking/f6", 5), absl::Now() + absl::Seconds(5),
               lost.Callback());
  ASSERT_TRUE(
      records_.WaitFor([&] { return records_.pending_waits_locked() == 1; }));
  records_.WakeAll(SharedRequestRecords::Wake::kLost);
  EXPECT_EQ(NumberOf(lost.Wait()), 1);
  EXPECT_EQ(records_.finishes().size(), 1u);  // No claim, nothing stored.
}

TEST_F(IdempotencyStoreFleetTest, UnknownOutcomeGivesTheClaimBack) {
  fake_.SetResponder([](const UpstreamRequest&, int) {
    return Reply{absl::StatusOr<Envelope>(HttpError(503))};
  });
  records_.SetScript([](const SharedRequestRecords::Record&) {
    return FakeSharedRequestRecords::State(State::kFirst);
  });
  MakeShared();
  EXPECT_EQ(Call(Tagged("CreateTracking/f7", 5)).status().code(),
            absl::StatusCode::kUnavailable);
  ASSERT_EQ(records_.abandons().size(), 1u);
  EXPECT_EQ(records_.abandons()[0].token, 31u);
  EXPECT_TRUE(records_.finishes().empty());
  EXPECT_EQ(store_->size(), 0u);
}

TEST_F(IdempotencyStoreFleetTest, UnavailableTierDecidesLocally) {
  fake_.SetResponder(Numbered());
  MakeShared();  // The fake's default: kUnavailable.
  EXPECT_EQ(NumberOf(Call(Tagged("CreateTracking/f8", 5))), 0);
  EXPECT_EQ(NumberOf(Call(Tagged("CreateTracking/f8", 5))), 0);
  EXPECT_EQ(fake_.calls(), 1);
  EXPECT_TRUE(records_.finishes().empty());
}

TEST_F(IdempotencyStoreFleetTest, CallerWhoLeavesWhileWaitingFreesTheRun) {
  records_.SetScript([](const SharedRequestRecords::Record&) {
    return FakeSharedRequestRecords::State(State::kRunning);
  });
  MakeShared();
  ResultSlot slot;
  const UpstreamCaller::CallId id =
      store_->Send(Tagged("CreateTracking/f9", 5),
                   absl::Now() + absl::Seconds(5), slot.Callback());
  ASSERT_TRUE(
      records_.WaitFor([&] { return records_.pending_waits_locked() == 1; }));
  store_->Cancel(id);
  EXPECT_EQ(slot.Wait().status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(records_.pending_waits(), 0u);
  EXPECT_EQ(store_->size(), 0u);
  store_.reset();  // Nothing left to wait for.
}

TEST_F(IdempotencyStoreFleetTest, WaitersWhoseDeadlinePassesLeave) {
  records_.SetScript([](const SharedRequestRecords::Record&) {
    return FakeSharedRequestRecords::State(State::kRunning);
  });
  MakeShared();
  ResultSlot slot;
  store_->Send(Tagged("CreateTracking/f10", 5),
               absl::Now() + absl::Milliseconds(100), slot.Callback());
  ASSERT_TRUE(
      records_.WaitFor([&] { return records_.pending_waits_locked() == 1; }));
  absl::SleepFor(absl::Milliseconds(150));
  records_.WakeAll(SharedRequestRecords::Wake::kExpired);
  EXPECT_EQ(slot.Wait().status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(fake_.calls(), 0);
}

}  // namespace
}  // namespace tracktry
