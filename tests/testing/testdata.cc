// Copyright 2026 The tracktry-grpc Authors.
#include "tests/testing/testdata.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>

namespace tracktry::testing {

std::string TestdataPath(std::string_view name) {
  return std::string(TRACKTRY_TESTDATA_DIR) + "/" + std::string(name);
}

std::string ReadTestdata(std::string_view name) {
  std::ifstream in(TestdataPath(name), std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read testdata %s\n",
                 TestdataPath(name).c_str());
    std::abort();
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Envelope EnvelopeOf(std::string_view name) {
  absl::StatusOr<Envelope> envelope = ParseEnvelope(ReadTestdata(name));
  if (!envelope.ok()) {
    std::fprintf(stderr, "testdata %s is not an envelope: %s\n",
                 std::string(name).c_str(),
                 envelope.status().ToString().c_str());
    std::abort();
  }
  return *std::move(envelope);
}

nlohmann::json DataOf(std::string_view name) { return EnvelopeOf(name).data(); }

}  // namespace tracktry::testing
