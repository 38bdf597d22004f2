// The demo page: join a topic, see who is there, open a WebRTC data channel chat (and optionally a
// camera call) with any peer. It uses nothing but the client library.
import { SignalingClient } from './client/signaling-client.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
// No STUN/TURN unless the server hands out TURN credentials (or ?stun=... is given): peers on one
// network (or one machine) connect directly.
const stun = params.get('stun') ? [{ urls: params.get('stun') }] : [];
const rtcConfig = () => ({ iceServers: [...stun, ...(client ? client.iceServers : [])] });

let client = null;
// The one peer connection: its peer, its data channel, the camera and microphone it holds, and the
// ICE candidates that came before the remote description could take them.
let link = null; // { peerId, pc, channel, stream, candidates, described }
// An offer waits here until the user accepts it: nothing is answered, no camera starts, without a click.
let pending = null; // { from, payload, candidates: [] }

function setStatus(element, state, text) {
  element.dataset.state = state;
  element.textContent = text || state;
}

function log(text, mine) {
  const li = document.createElement('li');
  li.textContent = text;
  if (mine) li.className = 'mine';
  $('messages').append(li);
  $('messages').scrollTop = $('messages').scrollHeight;
}

function renderPeers() {
  const list = $('peers');
  list.replaceChildren();
  for (const [id, metadata] of client ? client.peers : []) {
    const li = document.createElement('li');
    li.dataset.peer = id;
    const name = document.createElement('span');
    name.textContent = (metadata && metadata.name) || id.slice(-6);
    name.title = id;
    const chat = document.createElement('button');
    chat.textContent = 'Chat';
    chat.className = 'chat';
    chat.onclick = () => startLink(id, false);
    const call = document.createElement('button');
    call.textContent = 'Call';
    call.className = 'call';
    call.onclick = () => startLink(id, true);
    li.append(name, chat, call);
    list.append(li);
  }
  $('count').textContent = String(client ? client.peers.size : 0);
}

function newLink(peerId) {
  closeLink();
  const pc = new RTCPeerConnection(rtcConfig());
  link = { peerId, pc, channel: null, stream: null, candidates: [], described: false };
  $('chat-with').textContent = `with ${peerId.slice(-6)}`;
  $('hangup').disabled = false;
  pc.onicecandidate = (e) => { if (e.candidate) client.send('ice-candidate', peerId, e.candidate.toJSON()).catch(report); };
  pc.ondatachannel = (e) => useChannel(e.channel);
  pc.ontrack = (e) => { $('remote').srcObject = e.streams[0]; };
  pc.onconnectionstatechange = () => setStatus($('channel'), pc.connectionState === 'connected' ? 'open' : pc.connectionState,
    `peer ${pc.connectionState}`);
  return link;
}

function useChannel(channel) {
  link.channel = channel;
  channel.onopen = () => {
    setStatus($('channel'), 'open', 'channel open');
    $('text').disabled = false;
    $('send').disabled = false;
  };
  channel.onclose = () => {
    setStatus($('channel'), 'closed', 'channel closed');
    $('text').disabled = true;
    $('send').disabled = true;
    if (link && link.channel === channel) closeLink(); // the other side hung up: camera and microphone go too
  };
  channel.onmessage = (e) => log(`${link.peerId.slice(-6)}: ${e.data}`, false);
}

async function withCamera(current) {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    if (link !== current) { // hung up while the permission prompt was open
      stream.getTracks().forEach((track) => track.stop());
      return;
    }
    current.stream = stream;
    $('local').srcObject = stream;
    stream.getTracks().forEach((track) => current.pc.addTrack(track, stream));
  } catch (e) {
    log(`camera unavailable: ${e.message}`, true);
  }
}

/** The remote description is set: candidates that came before it go in now, in order. */
async function described(current) {
  current.described = true;
  for (const candidate of current.candidates.splice(0)) await current.pc.addIceCandidate(candidate).catch(report);
}

async function startLink(peerId, call) {
  const current = newLink(peerId);
  const { pc } = current;
  useChannel(pc.createDataChannel('chat'));
  if (call) await withCamera(current);
  setStatus($('channel'), 'connecting', 'negotiating');
  await pc.setLocalDescription(await pc.createOffer());
  await client.send('offer', peerId, { description: pc.localDescription.toJSON(), call }).catch(report);
}

function peerName(id) {
  const metadata = client && client.peers.get(id);
  return (metadata && metadata.name) || id.slice(-6);
}

function onOffer({ from, payload }) {
  pending = { from, payload, candidates: [] };
  $('incoming-text').textContent = `${peerName(from)} wants to ${payload.call ? 'call you (camera and microphone)' : 'chat'}`;
  $('incoming').hidden = false;
}

async function accept() {
  const { from, payload, candidates } = pending;
  pending = null;
  $('incoming').hidden = true;
  const current = newLink(from);
  const { pc } = current;
  current.candidates.push(...candidates); // and those that come while the camera's permission is asked for
  setStatus($('channel'), 'connecting', 'negotiating');
  if (payload.call) await withCamera(current);
  if (link !== current) return;
  await pc.setRemoteDescription(payload.description);
  await described(current);
  await pc.setLocalDescription(await pc.createAnswer());
  await client.send('answer', from, { description: pc.localDescription.toJSON() }).catch(report);
}

function decline() {
  if (pending) log(`declined ${peerName(pending.from)}`, true);
  pending = null;
  $('incoming').hidden = true;
}

$('accept').onclick = () => accept().catch(report);
$('decline').onclick = decline;

/** Ends the call or chat: the peer connection, and the camera and microphone it held. */
function closeLink() {
  if (!link) return;
  const { pc, stream } = link;
  link = null;
  pc.close();
  if (stream) stream.getTracks().forEach((track) => track.stop());
  $('local').srcObject = null;
  $('remote').srcObject = null;
  $('hangup').disabled = true;
  $('chat-with').textContent = 'pick a peer';
  setStatus($('channel'), 'none', 'no channel');
}

$('hangup').onclick = closeLink;

function report(error) {
  log(`error: ${error.message}`, true);
}

$('join').onsubmit = async (event) => {
  event.preventDefault();
  const name = $('name').value.trim();
  client = new SignalingClient(location.origin, $('topic').value, { metadata: name ? { name } : undefined,
    turn: params.get('turn') !== 'off' });
  for (const type of ['peers', 'peer-joined', 'peer-left']) client.addEventListener(type, renderPeers);
  client.addEventListener('peer-left', (e) => {
    if (link && link.peerId === e.detail.peerId) closeLink();
    if (pending && pending.from === e.detail.peerId) { // the offer went with its peer
      pending = null;
      $('incoming').hidden = true;
    }
  });
  client.addEventListener('welcome', (e) => { $('self').textContent = e.detail.selfId; setStatus($('status'), 'online', 'online'); });
  client.addEventListener('reconnecting', (e) => setStatus($('status'), 'reconnecting', `reconnecting (${e.detail.attempt})`));
  client.addEventListener('close', () => { setStatus($('status'), 'offline', 'offline'); renderPeers(); });
  client.addEventListener('error', (e) => {
    if (e.detail.code !== 'turn_credentials') log(`server: ${e.detail.code} ${e.detail.message}`, true);
  });
  client.addEventListener('offer', (e) => onOffer(e.detail));
  client.addEventListener('answer', (e) => {
    const current = link;
    if (current && current.peerId === e.detail.from) {
      current.pc.setRemoteDescription(e.detail.payload.description).then(() => described(current)).catch(report);
    }
  });
  client.addEventListener('ice-candidate', (e) => {
    if (pending && pending.from === e.detail.from) pending.candidates.push(e.detail.payload);
    else if (link && link.peerId === e.detail.from) {
      if (link.described) link.pc.addIceCandidate(e.detail.payload).catch(report);
      else link.candidates.push(e.detail.payload); // before its answer, or while the camera is being asked for
    }
  });
  setStatus($('status'), 'connecting', 'connecting');
  $('connect').disabled = true;
  $('leave').disabled = false;
  try {
    await client.connect();
  } catch (e) {
    report(e);
  }
};

$('leave').onclick = () => {
  closeLink();
  client.close();
  $('connect').disabled = false;
  $('leave').disabled = true;
};

$('say').onsubmit = (event) => {
  event.preventDefault();
  const text = $('text').value;
  if (!text || !link || !link.channel || link.channel.readyState !== 'open') return;
  link.channel.send(text);
  log(`me: ${text}`, true);
  $('text').value = '';
};
