// Copyright 2026 The tracktry-grpc Authors.
#include "emulator/envelope.h"

namespace tracktry::emulator {

std::string MetaType(int code) {
  switch (code) {
    case 200:
      return "Success";
    case 201:
      return "Created";
    case 401:
    case 4001:
    case 4002:
      return "Unauthorized";
    case 402:
      return "Payment Required";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 429:
      return "Too Many Requests";
    case 4031:
    case 4032:
    case 4033:
      return "No Content";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Bad Request";
  }
}

std::string MetaMessage(int code) {
  switch (code) {
    case 200:
      return "Success";
    case 201:
      return "The request was successful and a resource was created.";
    case 202:
      return "The request was successful but exceeding the limit.";
    case 401:
      return "Authentication failed or has no permission.";
    case 402:
      return "Payment required.";
    case 403:
      return "Access denied.";
    case 404:
      return "The requested resource does not exist.";
    case 405:
      return "The method is not allowed for this resource.";
    case 409:
      return "Conflict.";
    case 429:
      return "Exceeded API limits. Pause requests, wait two minute, and try "
             "again.";
    case 500:
      return "Server error.";
    case 503:
      return "Service temporarily unavailable.";
    case 4001:
      return "Invalid API key.";
    case 4002:
      return "API key has been deleted.";
    case 4012:
      return "Unable to understand the request, or required parameters are "
             "missing.";
    case 4013:
      return "Tracking_number is required.";
    case 4014:
      return "The value of tracking_number is invalid.";
    case 4015:
      return "The value of carrier_code is invalid.";
    case 4016:
      return "Tracking already exists.";
    case 4017:
      return "Tracking does not exist.";
    case 4018:
      return "This feature needs to be activated by customer service.";
    case 4019:
      return "Balance not enough: a free account can add up to 500 single "
             "numbers per month.";
    case 4020:
      return "Up to 40 tracking numbers can be submitted at a time.";
    case 4021:
      return "The remaining balance is not enough to call the API.";
    case 4031:
      return "The request was successful but the response is empty";
    case 4032:
      return "Unable to detect the carrier; please specify carrier_code.";
    case 4033:
      return "Invalid status value.";
    default:
      return "Error.";
  }
}

OrderedJson MetaObject(int code) {
  OrderedJson meta = OrderedJson::object();
  meta["code"] = code;
  meta["type"] = MetaType(code);
  meta["message"] = MetaMessage(code);
  return meta;
}

std::string EnvelopeBody(int code, const OrderedJson& data) {
  OrderedJson envelope = OrderedJson::object();
  envelope["meta"] = MetaObject(code);
  envelope["data"] = data;
  return DumpJson(envelope);
}

std::string ErrorEnvelopeBody(int code) {
  return EnvelopeBody(code, OrderedJson::array());
}

std::string DumpJson(const OrderedJson& json) {
  return json.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

}  // namespace tracktry::emulator
