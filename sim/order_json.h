// JSON shapes of SmartAPI replies built from engine state, with the field
// names, order and JSON types of SMARTAPI.md (§2.9 order rows: prices are
// numbers, quantities strings; §2.11/§2.12 trade and position rows: all
// strings; §6 order-update messages).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "sim/order_engine.h"

namespace ct::sim {

using Json = nlohmann::ordered_json;

// {"status":true,"message":"SUCCESS","errorcode":"","data":...}
Json SuccessEnvelope(Json data);
// {"status":false,"message":..,"errorcode":..,"data":null}
Json ErrorEnvelope(std::string_view code, std::string_view message);
// Gateway dialect: {"success":false,"message":..,"errorCode":..,"data":""}
Json GatewayError(std::string_view code, std::string_view message);

Json OrderRow(const Order& order);
// orderData of an order-update message: an order row without
// uniqueorderid/exchangeorderid; `status` overrides status/orderstatus.
Json OrderData(const Order& order, std::string_view status);
std::string OrderUpdateMessage(const Order& order, std::string_view code, std::string_view status);
std::string ConnectedMessage(std::string_view client_code);
Json TradeRow(const Trade& trade);
Json PositionRow(const Position& position, double ltp);

}  // namespace ct::sim
