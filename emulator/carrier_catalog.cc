// Copyright 2026 The tracktry-grpc Authors.
#include "emulator/carrier_catalog.h"

#include <algorithm>
#include <utility>

namespace tracktry::emulator {
namespace {

std::vector<Carrier> MakeCarriers() {
  return {
      {"DHL", "dhl", "1 800 225 5345", "http://www.dhl.com/", "express", "DE"},
      {"UPS", "ups", "+1 800 742 5877", "https://www.ups.com/us/en/Home.page",
       "express", "US"},
      {"Fedex", "fedex", "+1 800 247 4747", "https://www.fedex.com/", "express",
       "US"},
      {"USPS", "usps", "+1 800-275-8777", "https://www.usps.com/", "globalpost",
       "US"},
      {"4PX", "4px", "+86 755 2399 5555", "http://www.4px.com/", "express",
       "CN"},
      {"China Post", "china-post", "11183", "http://www.chinapost.com.cn/",
       "globalpost", "CN"},
      {"China EMS", "china-ems", "11183", "http://www.ems.com.cn/",
       "globalpost", "CN"},
      {"Cainiao", "cainiao", "+86 571 8585 8585", "https://global.cainiao.com",
       "express", "CN"},
      {"YunExpress", "yunexpress", "+86 400-0262-126",
       "http://www.yuntrack.com/", "express", "CN"},
      {"PostNL International 3S", "postnl-3s", "+31 900 0990",
       "http://www.postnl.post/", "globalpost", "NL"},
      {"Deutsche Post", "deutsch-post", "+49 228 4333112",
       "https://www.deutschepost.de/", "globalpost", "DE"},
      {"Royal Mail", "royal-mail", "+44 1752387112",
       "http://www.royalmail.com/", "globalpost", "GB"},
      {"Hong Kong Post", "hong-kong-post", "+852 2921 2222",
       "http://www.hongkongpost.hk/", "globalpost", "HK"},
      {"Singapore Post", "singapore-post", "+65 6841 2000",
       "http://www.singpost.com/", "globalpost", "SG"},
      {"Australia Post", "australia-post", "13 76 78",
       "https://auspost.com.au/", "globalpost", "AU"},
      {"Canada Post", "canada-post", "1 866 607 6301",
       "https://www.canadapost.ca/", "globalpost", "CA"},
      {"Japan Post", "japan-post", "+81 0570-046111",
       "https://www.post.japanpost.jp/", "globalpost", "JP"},
      {"La Poste", "la-poste", "+33 3631", "https://www.laposte.fr/",
       "globalpost", "FR"},
      {"Fastway Australia", "fastway-au", "+61 1300 327 892",
       "https://www.aramex.com.au", "express", "AU"},
      {"Poste Italiane", "poste-italiane", "+39 803 160",
       "https://www.poste.it/", "globalpost", "IT"},
      {"STO Express", "sto", "+86 95543", "http://www.sto.cn/", "express",
       "CN"},
  };
}

std::string ToUpper(absl::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

}  // namespace

CarrierCatalog::CarrierCatalog()
    : carriers_(MakeCarriers()), s10_("^([A-Z]{2})[0-9]{9}([A-Z]{2})$") {
  const auto add = [this](const char* pattern, std::vector<std::string> codes) {
    rules_.push_back({std::regex(pattern), std::move(codes)});
  };
  // Order matters: specific formats before generic digit counts.
  add("^1Z[0-9A-Z]{16}$", {"ups"});
  add("^LB[0-9]{9}SG$", {"cainiao", "singapore-post"});
  add("^LP[0-9]{12,16}$", {"cainiao"});
  add("^YT[0-9]{16}$", {"yunexpress"});
  add("^4PX[0-9A-Z]{8,20}$", {"4px"});
  add("^9[2-5][0-9]{20}$", {"usps"});
  add("^[0-9]{15}$", {"fedex"});
  add("^[0-9]{13}$", {"sto"});
  add("^[0-9]{12}$", {"fedex", "sto"});
  add("^[0-9]{10}$", {"dhl"});
  add("^[A-Z]{2}[0-9]{10}$", {"fastway-au"});
}

const CarrierCatalog& CarrierCatalog::Default() {
  static const CarrierCatalog* const catalog = new CarrierCatalog();
  return *catalog;
}

const Carrier* CarrierCatalog::Find(absl::string_view code) const {
  for (const Carrier& carrier : carriers_) {
    if (carrier.code == code) return &carrier;
  }
  return nullptr;
}

const Carrier* CarrierCatalog::PostalCarrierOf(absl::string_view iso2) const {
  for (const Carrier& carrier : carriers_) {
    if (carrier.postal() && carrier.country_iso2 == iso2) return &carrier;
  }
  return nullptr;
}

std::vector<const Carrier*> CarrierCatalog::Detect(
    absl::string_view tracking_number) const {
  const std::string number = ToUpper(tracking_number);
  std::vector<const Carrier*> out;
  const auto push = [&](absl::string_view code) {
    const Carrier* carrier = Find(code);
    if (carrier != nullptr &&
        std::find(out.begin(), out.end(), carrier) == out.end()) {
      out.push_back(carrier);
    }
  };
  for (const Rule& rule : rules_) {
    if (std::regex_match(number, rule.pattern)) {
      for (const std::string& code : rule.codes) push(code);
    }
  }
  std::smatch match;
  if (std::regex_match(number, match, s10_)) {
    const std::string prefix = match[1].str();
    const std::string country = match[2].str();
    if (country == "CN") {
      if (prefix[0] == 'E') push("china-ems");
      push("china-post");
      push("china-ems");
    } else if (country == "GB") {
      push("royal-mail");
    } else if (country == "NL") {
      push("postnl-3s");
    } else if (country == "US") {
      push("usps");
    } else if (const Carrier* postal = PostalCarrierOf(country)) {
      push(postal->code);
    }
  }
  return out;
}

OrderedJson CarrierCatalog::ToJson() const {
  OrderedJson list = OrderedJson::array();
  for (const Carrier& carrier : carriers_) {
    OrderedJson item = OrderedJson::object();
    item["name"] = carrier.name;
    item["code"] = carrier.code;
    item["phone"] = carrier.phone;
    item["homepage"] = carrier.homepage;
    item["type"] = carrier.type;
    item["picture"] = "//cdn.tracktry.com/images/icons/" + carrier.type + "/" +
                      carrier.code + ".png";
    list.push_back(std::move(item));
  }
  return list;
}

}  // namespace tracktry::emulator
