#!/usr/bin/env bash
# make demo: a master and two followers on the SmartAPI emulator, the whole
# pipeline under supervisord, a few master orders entered by hand in the
# broker's app (the emulator's /sim/v1/app/ calls), and the copies checked
# in the followers' order books.
set -euo pipefail

BUILD_DIR=${1:-build}
REPO=$(cd "$(dirname "$0")/.." && pwd)
export CT_BIN=$(cd "$BUILD_DIR/bin" && pwd)
export CT_HOME="$REPO/run/demo-$(date +%Y%m%d-%H%M%S)"
CT_FOLLOWERS=2
mkdir -p "$CT_HOME/logs" "$CT_HOME/state" "$CT_HOME/bus" "$REPO/logs"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
secret() { head -c 20 /dev/urandom | base32 | tr -d '=\n'; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

export CT_SIM_PORT=$(free_port)
CT_DASHBOARD_PORT=$(free_port)
CT_DASHBOARD_URL="http://127.0.0.1:$CT_DASHBOARD_PORT/"
CONF="$CT_HOME/supervisord.conf"
ctl() { supervisorctl -c "$CONF" "$@"; }

TAIL_PID=""
cleanup() {
  [ -n "$TAIL_PID" ] && kill "$TAIL_PID" 2>/dev/null || true
  if [ -S "$CT_HOME/supervisor.sock" ]; then ctl shutdown >/dev/null 2>&1 || true; fi
  for _ in $(seq 50); do [ -e "$CT_HOME/supervisord.pid" ] || break; sleep 0.2; done
}
trap cleanup EXIT

say "throwaway accounts in $CT_HOME/.env (fresh TOTP secrets)"
umask 077
cat > "$CT_HOME/.env" <<ENV
API_KEY=demo-master-key-$(secret | head -c 8)
CLIENT_ID=M1000001
PASSWORD=1111
TOTP_SECRET=$(secret)
SECRET_KEY=demo-master-secret
FOLLOWER_1_API_KEY=demo-f1-key-$(secret | head -c 8)
FOLLOWER_1_CLIENT_ID=F2000001
FOLLOWER_1_PASSWORD=2222
FOLLOWER_1_TOTP_SECRET=$(secret)
FOLLOWER_2_API_KEY=demo-f2-key-$(secret | head -c 8)
FOLLOWER_2_CLIENT_ID=F2000002
FOLLOWER_2_PASSWORD=3333
FOLLOWER_2_TOTP_SECRET=$(secret)
ENV
umask 022

cat > "$CT_HOME/copytrade.toml" <<TOML
# The demo places real orders in the emulator's follower accounts.
dry_run = false

[broker]
rest_url = "http://127.0.0.1:$CT_SIM_PORT"
ws_url = "ws://127.0.0.1:$CT_SIM_PORT/smart-order-update"

[copy]
quantity_rule = "mirror"

[followers.2]
quantity_rule = "multiplier"
multiplier = 2.0

[bus]
watcher_publish = "ipc://$CT_HOME/bus/watcher.pub"
watcher_replay = "ipc://$CT_HOME/bus/watcher.replay"
router_publish = "ipc://$CT_HOME/bus/router.pub"
router_replay = "ipc://$CT_HOME/bus/router.replay"
router_control = "ipc://$CT_HOME/bus/router.control"
executor_publish = "ipc://$CT_HOME/bus/executor-{n}.pub"
executor_replay = "ipc://$CT_HOME/bus/executor-{n}.replay"

[instruments]
file = "$REPO/sim/data/OpenAPIScripMaster.json"   # the emulator's instruments

[paths]
state_dir = "$CT_HOME/state"
records_dir = "$REPO/logs"

[dashboard]
listen = "127.0.0.1:$CT_DASHBOARD_PORT"
TOML
CT="$CT_BIN/copytrade"
ARGS=(--config "$CT_HOME/copytrade.toml" --env "$CT_HOME/.env")
# No logins yet: the emulator is not up. Then the supervisord configuration
# as a user writes it, with the emulator appended in place of Angel One.
"$CT" validate "${ARGS[@]}" --offline
"$CT" deploy supervisord "${ARGS[@]}" --home "$CT_HOME" --out "$CONF"
cat "$REPO/deploy/supervisord-sim.conf" >> "$CONF"

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local secs=$1 what=$2; shift 2
  for _ in $(seq $((secs * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "timed out waiting for $what" >&2
  tail -n 20 "$CT_HOME"/logs/*.log >&2 || true
  return 1
}

say "starting the emulator and the pipeline under supervisord"
supervisord -c "$CONF"
wait_for 15 "the emulator" curl -sf "http://127.0.0.1:$CT_SIM_PORT/sim/v1/health"
wait_for 15 "the router" grep -q "router up" "$CT_HOME/logs/router.log"
for n in $(seq "$CT_FOLLOWERS"); do
  wait_for 15 "executor $n" grep -q "executor up" "$CT_HOME/logs/executor-$n.log"
done
wait_for 15 "the watcher" grep -q "watching master" "$CT_HOME/logs/watcher.log"
wait_for 15 "the dashboard" curl -sf -o /dev/null "$CT_DASHBOARD_URL"
ctl status
say "dashboard: $CT_DASHBOARD_URL (live copies, pause/resume, /metrics)"
say "copytrade validate against the running deployment (real logins; its endpoints are in use)"
"$CT" validate "${ARGS[@]}" || true

# What the user sees: the pipeline's own log lines, as they happen.
tail -n 0 -q -F "$CT_HOME/logs/watcher.log" "$CT_HOME/logs/router.log" \
  "$CT_HOME"/logs/executor-*.log 2>/dev/null | grep --line-buffered -E "master order|copying|placing|filled|re-priced|copied|DRY RUN|REJECTED|FAILED|WARN|ERROR" &
TAIL_PID=$!

# The master trades by hand in the broker's app, not through SmartAPI (an
# app order is not an algo order: MARKET allowed, no static IP).
app_place() {  # app_place SIDE SYMBOL QUANTITY TOKEN [EXCHANGE [PRODUCT [LIMIT]]]; prints the order id
  local side=$1 symbol=$2 quantity=$3 token=$4 exchange=${5:-NSE} product=${6:-INTRADAY} limit=${7:-0}
  local type=MARKET
  [ "$limit" != 0 ] && type=LIMIT
  curl -sf -X POST "http://127.0.0.1:$CT_SIM_PORT/sim/v1/app/placeOrder" -H 'Content-Type: application/json' \
    -d "{\"clientcode\":\"M1000001\",\"variety\":\"NORMAL\",\"tradingsymbol\":\"$symbol\",\"symboltoken\":\"$token\",
         \"transactiontype\":\"$side\",\"exchange\":\"$exchange\",\"ordertype\":\"$type\",\"producttype\":\"$product\",
         \"duration\":\"DAY\",\"price\":\"$limit\",\"quantity\":\"$quantity\"}" |
    python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["data"]["orderid"]) if r["status"] else sys.exit("app placeOrder: " + r["message"])'
}

say "the master trades (by hand, in the broker's app)"
app_place BUY SBIN-EQ 10 3045
app_place SELL RELIANCE-EQ 4 2885
app_place BUY NIFTY01DEC2626000CE 75 47101 NFO CARRYFORWARD
# A LIMIT far below the market stays open: nothing to copy until it fills.
app_place BUY INFY-EQ 5 1594 NSE INTRADAY 1.00

EXPECTED=6  # 3 filled master orders x 2 followers
copies_landed() {
  local total=0
  for n in $(seq "$CT_FOLLOWERS"); do
    c=$("$CT" orders "${ARGS[@]}" --account "follower-$n" --json |
        python3 -c 'import json,sys; print(sum(1 for o in json.load(sys.stdin) if o["ordertag"].startswith("ct") and o["status"]=="complete"))')
    total=$((total + c))
  done
  [ "$total" -ge "$EXPECTED" ]
}
wait_for 20 "$EXPECTED copies in the followers' books" copies_landed || true
sleep 1  # let the last report reach the router's records
kill "$TAIL_PID" 2>/dev/null || true; TAIL_PID=""

say "copytrade status"
"$CT" status --config "$CT_HOME/copytrade.toml" || true

say "follower order books at the broker"
for n in $(seq "$CT_FOLLOWERS"); do
  echo "follower-$n:"; "$CT" orders "${ARGS[@]}" --account "follower-$n"
done

# With a person at a terminal, the dashboard stays up to be looked at; in CI
# (no terminal) the demo goes straight on.
if [ -t 0 ] && [ -t 1 ] && [ -z "${CI:-}" ]; then
  say "the dashboard is still up at $CT_DASHBOARD_URL — press Enter to stop everything"
  read -r _ || true
fi

say "stopping"
ctl shutdown >/dev/null
for _ in $(seq 100); do [ -e "$CT_HOME/supervisord.pid" ] || break; sleep 0.1; done

RECORDS=$(grep -ho "records $REPO/logs/copy_trading_[0-9_]*\.json" "$CT_HOME/logs/router.log" | tail -1 | cut -d' ' -f2)
say "session records: $RECORDS"
python3 - "$RECORDS" "$EXPECTED" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
stats = doc["statistics"]
# The master's MARKET orders reach the followers as marketable LIMITs (SmartAPI
# takes no MARKET orders since April 2026): limit, fill and slippage per copy.
for r in doc["records"]:
    head = f'  {r["master_order_id"]} {r["transaction_type"]:4} {r["symbol"]:22} x{r["quantity"]:<4} -> {r["follower"]}: '
    if r["success"]:
        print(head + f'{r["state"]} {r["order_type"]} @ {r["limit_price"]:.2f}, filled {r["filled_quantity"]} @ '
              f'{r["fill_price"]:.2f} (master {r["master_price"]:.2f}, slippage {r["slippage_bps"]:+.1f} bp), '
              f'order {r["follower_order_id"]}, accepted {r["timings_ms"]["accepted"]:.1f} ms after detection')
    else:
        print(head + f'{r["state"]} {r["error"] or r["reason"]}')
print(f'  total {stats["total_copies"]}, successful {stats["successful"]}, failed {stats["failed"]}, '
      f'success rate {stats["success_rate"]:.0f}%')
ok = stats["successful"] == int(sys.argv[2]) and stats["failed"] == 0
print("demo: every expected copy landed" if ok else "demo: copies MISSING")
sys.exit(0 if ok else 1)
PY
