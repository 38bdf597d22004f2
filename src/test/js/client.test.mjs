// node:test against a real server: SERVER_URL=http://127.0.0.1:PORT node --test client.test.mjs
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { createHmac } from 'node:crypto';
import { SignalingClient, SignalingError } from '../../main/webapp/client/signaling-client.js';
import { tcpProxy, standIn, welcome } from './standins.mjs';

const SERVER = process.env.SERVER_URL || 'http://127.0.0.1:8081';
const topic = () => `js-${Date.now()}-${Math.random().toString(36).slice(2)}`;
const clients = [];
const client = (t, options = {}, url = SERVER) => {
  const c = new SignalingClient(url, t, { WebSocket, reconnectDelay: 100, ...options });
  clients.push(c);
  return c;
};
const serverPort = () => Number(new URL(SERVER).port);
/** Each msgId a client got, with how many times. */
const tally = (target, type) => {
  const counts = new Map();
  target.addEventListener(type, (e) => counts.set(e.detail.msgId, (counts.get(e.detail.msgId) || 0) + 1));
  return counts;
};
const next = (target, type) => new Promise((resolve) => target.addEventListener(type, (e) => resolve(e.detail), { once: true }));

test('connect gives a selfId, and peers see each other with their metadata', async () => {
  const t = topic();
  const a = client(t, { metadata: { name: 'Ada' } });
  const b = client(t);
  try {
    const aId = await a.connect();
    const joined = next(a, 'peer-joined');
    const peers = next(b, 'peers');
    const bId = await b.connect();
    assert.match(aId, /^[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.deepEqual((await peers).peers, [{ id: aId, metadata: { name: 'Ada' } }]);
    assert.equal((await joined).peerId, bId);
    assert.deepEqual([...a.peers.keys()], [bId]);
    const left = next(a, 'peer-left');
    b.close();
    assert.equal((await left).peerId, bId);
    assert.equal(a.peers.size, 0);
  } finally {
    a.close();
    b.close();
  }
});

test('send resolves for a delivered relay, and the target gets from, payload and msgId', async () => {
  const t = topic();
  const a = client(t, { ackTimeout: 300 });
  const b = client(t);
  try {
    await a.connect();
    const bId = await b.connect();
    const offer = next(b, 'offer');
    await a.send('offer', bId, { sdp: 'v=0' });
    const received = await offer;
    assert.equal(received.from, a.selfId);
    assert.deepEqual(received.payload, { sdp: 'v=0' });
    assert.match(received.msgId, new RegExp(`^${a.selfId}-\\d+$`));
  } finally {
    a.close();
    b.close();
  }
});

test('send rejects with the server error that carries its msgId', async () => {
  const a = client(topic(), { ackTimeout: 5000 });
  try {
    await a.connect();
    const started = Date.now();
    await assert.rejects(a.send('answer', '01ARZ3NDEKTSV4RRFFQ69G5FAV', {}), (error) => {
      assert.ok(error instanceof SignalingError);
      assert.equal(error.code, 'target_not_found');
      assert.match(error.msgId, new RegExp(`^${a.selfId}-`));
      return true;
    });
    assert.ok(Date.now() - started < 5000, 'rejected by the error, not by a timeout');
    await assert.rejects(a.send('hello', 'x', {}), TypeError);
  } finally {
    a.close();
  }
});

test('an abnormal close reconnects with backoff and resumes the session; close() does not reconnect', async () => {
  const t = topic();
  const a = client(t);
  const watcher = client(t);
  try {
    await watcher.connect();
    const firstJoined = next(watcher, 'peer-joined');
    const firstId = await a.connect();
    assert.equal((await firstJoined).peerId, firstId);
    let flapped = false;
    watcher.addEventListener('peer-left', () => { flapped = true; });
    const reconnecting = next(a, 'reconnecting');
    const welcomeAgain = next(a, 'welcome');
    a._socket._socket.destroy(); // the TCP connection drops: no close frame (1006)
    const attempt = await reconnecting;
    assert.equal(attempt.attempt, 1);
    assert.equal(attempt.code, 1006);
    const again = await welcomeAgain;
    assert.equal(again.selfId, firstId, 'the same peer id');
    assert.equal(again.resumed, true);
    const offer = next(a, 'offer');
    await watcher.send('offer', firstId, { after: 'resume' });
    assert.deepEqual((await offer).payload, { after: 'resume' });
    assert.equal(flapped, false, 'the others saw no leave');

    let reconnected = false;
    a.addEventListener('reconnecting', () => { reconnected = true; });
    const closed = next(a, 'close');
    a.close();
    assert.equal((await closed).code, 1000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(reconnected, false);
  } finally {
    a.close();
    watcher.close();
  }
});

test('a relay the lost connection swallowed is sent again on resume', async () => {
  const t = topic();
  const a = client(t);
  const watcher = client(t);
  try {
    await watcher.connect();
    const joined = next(watcher, 'peer-joined');
    const listed = next(a, 'peers');
    const id = await a.connect();
    await Promise.all([joined, listed]);
    // The relay reaches a's socket, but the connection dies before the client sees it.
    const swallowed = new Promise((resolve) => { a._socket.onmessage = (event) => resolve(String(event.data)); });
    watcher.send('offer', id, { n: 'swallowed' }).catch(() => { /* settles after the test */ });
    assert.match(await swallowed, /swallowed/);
    const welcomeAgain = next(a, 'welcome');
    const offer = next(a, 'offer');
    a._socket._socket.destroy();
    assert.equal((await welcomeAgain).resumed, true);
    assert.deepEqual((await offer).payload, { n: 'swallowed' }, 'sent again after the resume');
  } finally {
    a.close();
    watcher.close();
  }
});

test('with turn on, the client fetches TURN credentials that verify against the shared secret', async () => {
  assert.ok(process.env.TURN_SECRET && process.env.TURN_URIS, 'TURN_SECRET and TURN_URIS name the server\'s TURN settings');
  const a = client(topic(), { turn: true });
  try {
    const servers = next(a, 'ice-servers');
    const selfId = await a.connect();
    const { iceServers, ttl } = await servers;
    assert.equal(iceServers.length, 1);
    const { urls, username, credential } = iceServers[0];
    assert.deepEqual(urls, process.env.TURN_URIS.split(','));
    const [expiry, user] = username.split(':');
    assert.equal(user, selfId);
    assert.ok(Math.abs(Number(expiry) - (Date.now() / 1000 + ttl)) < 30);
    assert.equal(credential, createHmac('sha1', process.env.TURN_SECRET).update(username).digest('base64'));
  } finally {
    a.close();
  }
});

test('close code 1012 (the node restarts, another takes the session) reconnects at once and resumes', async () => {
  // A stand-in for a node that stops: it welcomes, then closes with 1012, as a node in cluster mode
  // does on SIGTERM. The reconnect must not wait for the backoff (set to 5 s here).
  const { WebSocketServer } = await import('ws');
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  const handshakes = [];
  server.on('connection', (socket, request) => {
    handshakes.push(request.headers['sec-websocket-protocol'] || '');
    socket.send(JSON.stringify({ type: 'welcome', selfId: '01J00000000000000000000001', resumeToken: `tok${handshakes.length}` }));
    socket.send(JSON.stringify({ type: 'peer-list', peers: [] }));
    if (handshakes.length === 1) setTimeout(() => socket.close(1012, 'server restarting'), 20);
  });
  const a = new SignalingClient(`ws://127.0.0.1:${server.address().port}`, 'room', { WebSocket, reconnectDelay: 5000 });
  try {
    const reconnecting = next(a, 'reconnecting');
    await a.connect();
    const attempt = await reconnecting;
    assert.equal(attempt.code, 1012);
    assert.ok(attempt.delay <= 250, `at once, within the restart jitter: ${attempt.delay} ms`);
    const again = await next(a, 'welcome');
    assert.equal(again.resumed, true);
    assert.match(handshakes[1], /resume\.tok1/, 'the second handshake resumes with the first token');
  } finally {
    a.close();
    server.close();
  }
});

test('a reconnect attempt that fails keeps the count the next one sends: the session resumes and nothing arrives twice', async () => {
  const proxy = await tcpProxy(serverPort());
  const t = topic();
  const a = client(t, {}, `http://127.0.0.1:${proxy.port}`);
  const watcher = client(t, { ackTimeout: 100 });
  try {
    await watcher.connect();
    const joined = next(watcher, 'peer-joined');
    const id = await a.connect();
    await joined;
    const offers = tally(a, 'offer');
    for (let i = 0; i < 3; i++) {
      const arrived = next(a, 'offer');
      watcher.send('offer', id, { n: i }).catch(() => { /* settles after the test */ });
      await arrived;
    }
    proxy.refuseUpgrades = 1; // the first attempt dies before a message arrives, as on a node answering 503
    const welcomed = next(a, 'welcome');
    proxy.cutAll();
    assert.equal((await welcomed).resumed, true, 'the second attempt resumed the session');
    assert.equal(proxy.refused, 1);
    const last = next(a, 'offer');
    watcher.send('offer', id, { n: 'after' }).catch(() => { /* settles after the test */ });
    await last; // one sender's relays arrive in order: a relay sent twice would have come before it
    assert.equal(offers.size, 4);
    assert.deepEqual([...offers.values()], [1, 1, 1, 1], 'each relay once');
  } finally {
    a.close();
    watcher.close();
    await proxy.close();
  }
});

test('a relay sent into a connection that died unread goes again after the resume, and its send resolves', async () => {
  const proxy = await tcpProxy(serverPort());
  const t = topic();
  const a = client(t, { ackTimeout: 300 }, `http://127.0.0.1:${proxy.port}`);
  const watcher = client(t);
  try {
    await watcher.connect();
    const joined = next(watcher, 'peer-joined');
    await a.connect();
    await joined;
    const offers = tally(watcher, 'offer');
    const arrived = next(watcher, 'offer');
    proxy.swallowClientData(); // half-open: what a sends reaches nobody
    const sent = a.send('offer', watcher.selfId, { n: 'into the void' });
    const welcomed = next(a, 'welcome');
    proxy.cutAll();
    assert.equal((await welcomed).resumed, true);
    assert.deepEqual((await arrived).payload, { n: 'into the void' });
    await sent; // not rejected by the close: it waited for the resume
    const marker = next(watcher, 'offer');
    a.send('offer', watcher.selfId, { n: 'marker' }).catch(() => { /* settles after the test */ });
    await marker;
    assert.deepEqual([...offers.values()], [1, 1], 'once each');
  } finally {
    a.close();
    watcher.close();
    await proxy.close();
  }
});

test('an error that comes after the send resolved is reported, marked late', async () => {
  const server = await standIn({ onConnection: (ws) => {
    welcome(ws, '01J00000000000000000000001');
    ws.on('message', (data) => {
      const { msgId } = JSON.parse(String(data));
      setTimeout(() => ws.send(JSON.stringify({ type: 'error', code: 'dropped', message: 'peer queue full', msgId })), 200);
    });
  } });
  const a = new SignalingClient(server.url, 'room', { WebSocket, ackTimeout: 20 });
  try {
    await a.connect();
    const late = next(a, 'error');
    await a.send('offer', '01J00000000000000000000002', {});
    const error = await late;
    assert.equal(error.code, 'dropped');
    assert.equal(error.late, true);
  } finally {
    a.close();
    await server.close();
  }
});

test('close() during the backoff cancels the pending reconnect: connect() then makes the only new session', async () => {
  const server = await standIn({ onConnection: (ws, request, n) => {
    welcome(ws, `01J0000000000000000000000${n}`, `tok${n}`);
    if (n === 1) setTimeout(() => ws.terminate(), 20);
  } });
  const a = new SignalingClient(server.url, 'room', { WebSocket, reconnectDelay: 300 });
  try {
    const reconnecting = next(a, 'reconnecting');
    await a.connect();
    const { delay } = await reconnecting;
    a.close();
    const selfId = await a.connect();
    assert.equal(selfId, '01J00000000000000000000002');
    await new Promise((resolve) => setTimeout(resolve, delay + 300)); // past the cancelled attempt
    assert.equal(server.handshakes.length, 2, 'no orphan session from the cancelled attempt');
    assert.equal(a.selfId, selfId);
  } finally {
    a.close();
    await server.close();
  }
});

test('TURN credentials: a failed fetch is tried again, a long ttl does not turn into a loop, a final close stops the refresh', async () => {
  let fetches = 0;
  let ttl = 3600;
  const server = await standIn({
    onConnection: (ws, request, n) => welcome(ws, `01J0000000000000000000000${n}`),
    onRequest: (request, response) => {
      if (!request.url.startsWith('/turn/credentials')) return false;
      fetches++;
      const ok = fetches > 1;
      response.writeHead(ok ? 200 : 500, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(ok ? { username: 'u', password: 'p', ttl, uris: ['turn:x'] } : { error: 'boom' }));
      return true;
    },
  });
  const a = new SignalingClient(server.url.replace('ws', 'http'), 'room', { WebSocket, turn: true });
  try {
    const failed = next(a, 'error');
    const servers = next(a, 'ice-servers');
    await a.connect();
    assert.equal((await failed).code, 'turn_credentials');
    await servers; // the retry, 2 s later
    assert.equal(fetches, 2);
    ttl = 1e9; // 32 years: a refresh timer of that many ms overflows setTimeout into 1 ms
    await a.refreshTurnCredentials();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(fetches, 3, 'no refresh loop');
    ttl = 1; // refreshed after 1 s
    await a.refreshTurnCredentials();
    a.close();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(fetches, 4, 'no refresh after the final close');
  } finally {
    a.close();
    await server.close();
  }
});

test('token expired (4003) and topic full (4409) end the session with gave-up; a token function reconnects with a fresh token', async () => {
  for (const code of [4003, 4409]) {
    const server = await standIn({ onConnection: (ws) => { welcome(ws, '01J00000000000000000000001'); setTimeout(() => ws.close(code, 'no'), 20); } });
    const a = new SignalingClient(server.url, 'room', { WebSocket, token: 'static', reconnectDelay: 50 });
    let reconnected = false;
    a.addEventListener('reconnecting', () => { reconnected = true; });
    try {
      const gaveUp = next(a, 'gave-up');
      await a.connect();
      assert.equal((await gaveUp).code, code);
      assert.equal(reconnected, false);
    } finally {
      a.close();
      await server.close();
    }
  }
  let issued = 0;
  const server = await standIn({ onConnection: (ws, request, n) => {
    welcome(ws, `01J0000000000000000000000${n}`);
    if (n === 1) setTimeout(() => ws.close(4003, 'token expired'), 20);
  } });
  const a = new SignalingClient(server.url, 'room', { WebSocket, token: () => `fresh-${++issued}`, reconnectDelay: 50 });
  try {
    const again = new Promise((resolve) => a.addEventListener('welcome', (e) => { if (e.detail.selfId.endsWith('2')) resolve(); }));
    await a.connect();
    await again;
    assert.match(server.handshakes[1].headers['sec-websocket-protocol'], /access_token\.fresh-2/);
  } finally {
    a.close();
    await server.close();
  }
});

test('a refused handshake (401, which a browser sees as 1006) ends with gave-up instead of retrying forever', async () => {
  const server = await standIn({ refuse: () => 401 });
  const a = new SignalingClient(server.url, 'room', { WebSocket, token: 'bad', reconnectDelay: 50 });
  try {
    const gaveUp = next(a, 'gave-up');
    await assert.rejects(a.connect());
    const { status } = await gaveUp;
    assert.equal(status, 401);
  } finally {
    a.close();
    await server.close();
  }
});

test('after 1012 the clients spread their return over the window the server names', async () => {
  const server = await standIn({ onConnection: (ws, request, n) => {
    welcome(ws, `01J000000000000000000000${String(n).padStart(2, '0')}`, `tok${n}`);
    setTimeout(() => ws.close(1012, 'server restarting: resume on another node within 4000 ms'), 20);
  } });
  const many = Array.from({ length: 20 }, () => new SignalingClient(server.url, 'room', { WebSocket }));
  try {
    const delays = await Promise.all(many.map(async (c) => {
      const reconnecting = next(c, 'reconnecting');
      await c.connect();
      return (await reconnecting).delay;
    }));
    assert.ok(delays.every((d) => d <= 4000), `within the window: ${delays}`);
    assert.ok(Math.max(...delays) > 250, `spread over it, not 250 ms: ${delays}`);
  } finally {
    many.forEach((c) => c.close());
    await server.close();
  }
});

test('a resume keeps the TURN credentials in hand: no fetch for them again', async () => {
  const a = client(topic(), { turn: true });
  const real = globalThis.fetch;
  let fetches = 0;
  globalThis.fetch = (...args) => { if (String(args[0]).includes('/turn/credentials')) fetches++; return real(...args); };
  try {
    const servers = next(a, 'ice-servers');
    await a.connect();
    await servers;
    const welcomed = next(a, 'welcome');
    a._socket._socket.destroy();
    assert.equal((await welcomed).resumed, true);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(fetches, 1);
  } finally {
    globalThis.fetch = real;
    a.close();
  }
});

// Every test closes its clients: each close must complete (the server answers the close frame and
// ends the connection), or a client would wait for ws's 30 s close timeout and hold the run open.
after(async () => {
  const open = () => clients.filter((c) => c._socket && c._socket.readyState !== WebSocket.CLOSED);
  let timer;
  const timeout = new Promise((resolve) => { timer = setTimeout(resolve, 10000); });
  await Promise.race([timeout, Promise.all(open().map((c) => new Promise((resolve) => c._socket.once('close', resolve))))]);
  clearTimeout(timer);
  const stuck = open().map((c) => `client #${clients.indexOf(c)} ${c.topic} ${c.selfId} readyState=${c._socket.readyState}`);
  for (const c of open()) { c._closedByUser = true; c._socket.terminate(); }
  assert.deepEqual(stuck, [], 'clients whose close the server did not complete within 10 s');
});
