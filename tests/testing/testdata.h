// Copyright 2026 The tracktry-grpc Authors.
//
// Access to recorded upstream payloads in tests/testdata/.
#ifndef TRACKTRY_TESTS_TESTING_TESTDATA_H_
#define TRACKTRY_TESTS_TESTING_TESTDATA_H_

#include <string>
#include <string_view>

#include "nlohmann/json.hpp"
#include "service/translation/envelope.h"

namespace tracktry::testing {

// Absolute path of tests/testdata/<name>.
std::string TestdataPath(std::string_view name);

// Contents of tests/testdata/<name>; aborts the test binary if unreadable.
std::string ReadTestdata(std::string_view name);

// The envelope of the recorded answer tests/testdata/<name>; aborts the
// test binary if it does not parse (a broken recording, not a test result).
Envelope EnvelopeOf(std::string_view name);

// Its `data` member.
nlohmann::json DataOf(std::string_view name);

}  // namespace tracktry::testing

#endif  // TRACKTRY_TESTS_TESTING_TESTDATA_H_
