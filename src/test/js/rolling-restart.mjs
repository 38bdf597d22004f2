// A rolling restart as the project's client lives it (RollingRestartContract drives it):
// CLIENTS clients of the library at its default options, through the balancer at SERVER_URL, all
// in one topic, relaying ice-candidates to each other at RATE messages a second in all. Prints
// "ready" once every client knows every other and relays flow; on "stop" (a line on stdin) stops
// sending, lets every send settle (its ackTimeout), and prints one JSON line: each relay's fate.
import WebSocket from 'ws';
import { createInterface } from 'node:readline';
import { SignalingClient } from '../../main/webapp/client/signaling-client.js';

const SERVER = process.env.SERVER_URL;
const CLIENTS = Number(process.env.CLIENTS || 12);
const RATE = Number(process.env.RATE || 500);
const topic = `roll-js-${Date.now()}`;

const clients = [];
const deliveries = new Map(); // relay id -> times delivered to its target
const sends = new Map(); // relay id -> 'pending' | 'acked' | error code | 'not-sent'
const wrongTarget = [];
const resumed = new Set();
const strangers = [];
let sending = true;

const waitFor = (done, ms) => new Promise((resolve, reject) => {
  const deadline = Date.now() + ms;
  const check = () => (done() ? resolve() : Date.now() > deadline ? reject(new Error('timed out')) : setTimeout(check, 20));
  check();
});

for (let i = 0; i < CLIENTS; i++) {
  const client = new SignalingClient(SERVER, topic, { WebSocket });
  client.addEventListener('ice-candidate', (e) => {
    const { id, to } = e.detail.payload;
    if (to !== idOf[clients.indexOf(client)]) wrongTarget.push(id);
    deliveries.set(id, (deliveries.get(id) || 0) + 1);
  });
  client.addEventListener('welcome', (e) => { if (e.detail.resumed) resumed.add(e.detail.selfId); });
  client.addEventListener('peer-left', (e) => strangers.push(`left ${e.detail.peerId}`));
  clients.push(client);
  await client.connect();
}
const idOf = clients.map((c) => c.selfId); // a client between connections has no selfId: its session's id stays
const ids = new Set(idOf);
clients.forEach((c) => c.addEventListener('peer-joined', (e) => { if (!ids.has(e.detail.peerId)) strangers.push(`joined ${e.detail.peerId}`); }));
await waitFor(() => clients.every((c) => c.peers.size === CLIENTS - 1), 10000);

const settled = [];
const everyMs = (1000 * CLIENTS) / RATE;
const timers = clients.map((client, i) => {
  let n = 0;
  return setInterval(() => {
    if (!sending) return;
    const to = idOf[(i + 1 + (n % (CLIENTS - 1))) % CLIENTS];
    const id = `${i}-${n++}`;
    sends.set(id, 'pending');
    settled.push(client.send('ice-candidate', to, { id, to, candidate: 'candidate:1 1 udp 1 10.0.0.1 9 typ host' })
      .then(() => sends.set(id, 'acked'), (e) => sends.set(id, e.code || 'not-sent')));
  }, everyMs);
});
console.log('ready');

createInterface({ input: process.stdin }).on('line', async (line) => {
  if (line.trim() !== 'stop') return;
  sending = false;
  timers.forEach(clearInterval);
  await Promise.all(settled);
  await new Promise((r) => setTimeout(r, 1000)); // what a node sent on at the end is on its way
  const duplicates = [...deliveries].filter(([, times]) => times > 1).map(([id, times]) => `${id} x${times}`);
  const lost = [...sends].filter(([id, fate]) => fate === 'acked' && !deliveries.has(id)).map(([id]) => id);
  const errors = {};
  for (const fate of sends.values()) if (fate !== 'acked') errors[fate] = (errors[fate] || 0) + 1;
  console.log(JSON.stringify({ sent: sends.size, delivered: deliveries.size, errors, duplicates: duplicates.length,
    duplicateSamples: duplicates.slice(0, 10), lost: lost.length, lostSamples: lost.slice(0, 10), wrongTarget: wrongTarget.length,
    resumed: resumed.size, strangers, sameIds: clients.every((c) => ids.has(c.selfId)) }));
  clients.forEach((c) => c.close());
  setTimeout(() => process.exit(0), 200);
});
