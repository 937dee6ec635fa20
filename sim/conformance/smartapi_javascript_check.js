// Manual conformance check: Angel One's official JavaScript SDK
// (npm "smartapi-javascript", unchanged) against a running copytrade-sim.
// Not part of `make test` (it needs the npm package); see README.md here.
//
//   SIM=http://127.0.0.1:PORT CLIENT=M1234567 PIN=1234 API_KEY=key \
//   TOTP_SECRET=BASE32 node smartapi_javascript_check.js
'use strict';

const crypto = require('crypto');
const { SmartAPI, WSOrderUpdates } = require('smartapi-javascript');
const { CONSTANTS } = require('smartapi-javascript/config/constant');

// The SDK looks up its public IP in the background; offline that rejects.
process.on('unhandledRejection', () => {});

const env = (name) => {
  if (!process.env[name]) throw new Error(`set ${name}`);
  return process.env[name];
};
const SIM = env('SIM');
const CLIENT = env('CLIENT');

function totp(secret) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase())
    bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30)));
  const mac = crypto.createHmac('sha1', key).update(counter).digest();
  const o = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}

let failures = 0;
function check(what, ok, detail) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${ok ? '' : ' ' + JSON.stringify(detail)}`);
  if (!ok) failures++;
}

async function admin(op, body) {
  const r = await fetch(`${SIM}/sim/v1/${op}`, { method: 'POST', body: JSON.stringify(body) });
  return r.json();
}

// A marketable LIMIT (SBIN is set to 800 below): it fills at once. The API
// refuses MARKET under the 2026 rules (checked below).
const sbin = (extra) => ({
  variety: 'NORMAL', tradingsymbol: 'SBIN-EQ', symboltoken: '3045', transactiontype: 'BUY',
  exchange: 'NSE', ordertype: 'LIMIT', producttype: 'INTRADAY', duration: 'DAY',
  price: '810.00', squareoff: '0', stoploss: '0', quantity: '1', ...extra,
});

async function main() {
  await admin('ratelimit', { enabled: false });
  await admin('price', { tradingsymbol: 'SBIN-EQ', exchange: 'NSE', price: 800 });
  const api = new SmartAPI({ api_key: env('API_KEY'), root: SIM });

  const bad = await api.generateSession(CLIENT, env('PIN'), '000000');
  check('wrong TOTP -> AB1050', bad.status === false && bad.errorcode === 'AB1050', bad);
  const session = await api.generateSession(CLIENT, env('PIN'), totp(env('TOTP_SECRET')));
  check('generateSession', session.status === true && !!session.data.jwtToken, session);

  const profile = await api.getProfile();
  check('getProfile', profile.status === true && profile.data.clientcode === CLIENT, profile);
  const empty = await api.getOrderBook();
  check('getOrderBook empty -> data null', empty.status === true && empty.data === null, empty);

  const frames = [];
  CONSTANTS.wsclientupdatesURL = SIM.replace(/^http/, 'ws') + '/smart-order-update';
  const ws = new WSOrderUpdates({
    clientcode: CLIENT, jwttoken: session.data.jwtToken, apikey: env('API_KEY'),
    feedtype: session.data.feedToken,
  });
  ws.on('tick', (data) => frames.push(String(data)));
  await ws.connect();

  const limit = await api.placeOrder(sbin({ ordertype: 'LIMIT', price: '790.00' }));
  check('placeOrder LIMIT', limit.status === true && /^\d{15}$/.test(limit.data.orderid), limit);
  const modified = await api.modifyOrder({
    variety: 'NORMAL', orderid: limit.data.orderid, ordertype: 'LIMIT', producttype: 'INTRADAY',
    duration: 'DAY', price: '791.00', quantity: '2', tradingsymbol: 'SBIN-EQ', symboltoken: '3045',
    exchange: 'NSE',
  });
  check('modifyOrder', modified.status === true && modified.data.orderid === limit.data.orderid, modified);
  const details = await api.indOrderDetails(limit.data.uniqueorderid);
  check('indOrderDetails', details.status === true && details.data.quantity === '2' &&
        details.data.price === 791 && details.data.status === 'open', details);
  const cancelled = await api.cancelOrder({ variety: 'NORMAL', orderid: limit.data.orderid });
  check('cancelOrder', cancelled.status === true, cancelled);
  const refused = await api.placeOrder(sbin({ ordertype: 'MARKET', price: '0' }));
  check('placeOrder MARKET -> AB2000 naming the rule', refused.status === false &&
        refused.errorcode === 'AB2000' && /MARKET orders are not allowed/.test(refused.message), refused);
  const market = await api.placeOrder(sbin({}));
  check('placeOrder marketable LIMIT', market.status === true, market);
  const tag = await api.placeOrder(sbin({ ordertag: 'x'.repeat(21) }));
  check('ordertag > 20 -> AB4008', tag.status === false && tag.errorcode === 'AB4008', tag);

  const book = await api.getOrderBook();
  const rows = book.data || [];
  check('getOrderBook rows', rows.length === 2 && rows[1].status === 'complete' &&
        typeof rows[1].averageprice === 'number' && typeof rows[1].quantity === 'string', book);
  const trades = await api.getTradeBook();
  check('getTradeBook', trades.status === true && trades.data.length === 1, trades);
  const positions = await api.getPosition();
  check('getPosition', positions.status === true && positions.data[0].netqty === '1', positions);
  const rms = await api.getRMS();
  check('getRMS', rms.status === true && typeof rms.data.net === 'string', rms);
  const refreshed = await api.generateToken(session.data.refreshToken);
  check('generateToken', refreshed.status === true && !!refreshed.data.jwtToken, refreshed);

  // Order updates arrive asynchronously; wait (bounded) for the last one.
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline && !frames.some((f) => f.includes('"AB05"')))
    await new Promise((r) => setTimeout(r, 20));
  const codes = frames.map((f) => { try { return JSON.parse(f)['order-status']; } catch { return f; } });
  check('order updates AB00 AB09 AB01 AB04 AB02 AB09 AB01 AB05',
        codes.join(' ') === 'AB00 AB09 AB01 AB04 AB02 AB09 AB01 AB05', codes);
  ws.close();

  const out = await api.logout(CLIENT);
  check('logout', out.status === true && out.data === '', out);
  const after = await api.getOrderBook();
  check('after logout -> AG8001', after.success === false && after.errorCode === 'AG8001', after);
  await admin('ratelimit', { enabled: true });
  console.log(failures === 0 ? 'all checks passed' : `${failures} check(s) failed`);
  process.exit(failures === 0 ? 0 : 1);
}

main().catch((e) => { console.error(e); process.exit(2); });
