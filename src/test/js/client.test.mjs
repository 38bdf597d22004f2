// node:test against a real server: SERVER_URL=http://127.0.0.1:PORT node --test client.test.mjs
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { createHmac } from 'node:crypto';
import { SignalingClient, SignalingError } from '../../main/webapp/client/signaling-client.js';

const SERVER = process.env.SERVER_URL || 'http://127.0.0.1:8081';
const topic = () => `js-${Date.now()}-${Math.random().toString(36).slice(2)}`;
const clients = [];
const client = (t, options = {}) => {
  const c = new SignalingClient(SERVER, t, { WebSocket, reconnectDelay: 100, ...options });
  clients.push(c);
  return c;
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

// Every test closes its clients: each close must complete (the server answers the close frame and
// ends the connection), or a client would wait for ws's 30 s close timeout and hold the run open.
after(async () => {
  const open = () => clients.filter((c) => c._socket && c._socket.readyState !== WebSocket.CLOSED);
  let timer;
  const timeout = new Promise((resolve) => { timer = setTimeout(resolve, 10000); });
  await Promise.race([timeout, Promise.all(open().map((c) => new Promise((resolve) => c._socket.once('close', resolve))))]);
  clearTimeout(timer);
  const stuck = open().map((c) => `${c.topic} ${c._previousId || c.selfId} readyState=${c._socket.readyState}`);
  for (const c of open()) { c._closedByUser = true; c._socket.terminate(); }
  assert.deepEqual(stuck, [], 'clients whose close the server did not complete within 10 s');
});
