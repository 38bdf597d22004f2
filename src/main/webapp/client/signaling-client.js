// lanscape-signaling browser and Node client: one dependency-free ES module.
// Protocol: docs/protocol.md. Usage:
//
//   import { SignalingClient } from '/client/signaling-client.js';
//   const client = new SignalingClient('wss://signal.example.com', 'my-room', { metadata: { name: 'Ada' } });
//   client.addEventListener('peer-joined', (e) => console.log(e.detail.peerId));
//   client.addEventListener('offer', (e) => answer(e.detail.from, e.detail.payload));
//   await client.connect();
//   await client.send('offer', peerId, { type: 'offer', sdp });
//
// In Node 20 pass a WebSocket implementation: new SignalingClient(url, topic, { WebSocket: (await import('ws')).default }).

/** @typedef {{ id: string, metadata?: any }} PeerRecord */

/**
 * @typedef {Object} SignalingClientOptions
 * @property {any} [metadata] JSON object describing this peer to the others (at most 4 KiB).
 * @property {string} [token] JWT for servers with auth on (sent in the subprotocol list, never in the URL).
 * @property {typeof WebSocket} [WebSocket] WebSocket implementation (default: globalThis.WebSocket).
 * @property {boolean} [reconnect=true] reconnect after an abnormal close.
 * @property {number} [reconnectDelay=500] first reconnect delay, ms; doubles up to maxReconnectDelay.
 * @property {number} [maxReconnectDelay=15000] ms.
 * @property {number} [restartJitter=250] after close code 1012 (the server restarts and another node
 *   takes the session), the reconnect comes at once, within this many ms (random).
 * @property {number} [maxReconnectAttempts=Infinity]
 * @property {number} [ackTimeout=2000] how long send() waits for an error before it resolves, ms.
 * @property {boolean} [turn=false] fetch TURN credentials from the server after connecting and
 *   refresh them before they expire; they are in `iceServers` (event `ice-servers`).
 */

/** Error codes a relay can come back with (docs/protocol.md). */
export const ErrorCodes = Object.freeze({
  INVALID_TYPE: 'invalid_type', MISSING_TARGET: 'missing_target', TARGET_NOT_FOUND: 'target_not_found',
  DROPPED: 'dropped', INVALID_MESSAGE: 'invalid_message', RATE_LIMITED: 'rate_limited',
});

/** Close codes after which reconnecting cannot help. */
const FINAL_CLOSE_CODES = new Set([1000, 1003, 1008, 1009]);
/** The server restarts and hands the session to another node. */
const SERVICE_RESTART = 1012;
const RELAY_TYPES = new Set(['offer', 'answer', 'ice-candidate']);

/** An error frame from the server, for a message this client sent. */
export class SignalingError extends Error {
  /** @param {string} code @param {string} message @param {any} msgId */
  constructor(code, message, msgId) {
    super(`${code}: ${message}`);
    this.name = 'SignalingError';
    this.code = code;
    this.msgId = msgId;
  }
}

/**
 * One peer in one topic. Events (CustomEvent, data in `detail`):
 * `welcome` {selfId}, `peers` {peers: PeerRecord[]}, `peer-joined` {peerId, metadata},
 * `peer-left` {peerId}, `offer` / `answer` / `ice-candidate` {from, payload, msgId},
 * `error` {code, message, msgId}, `open`, `close` {code, reason}, `reconnecting` {attempt, delay},
 * `ice-servers` {iceServers, ttl} (with options.turn).
 * A reconnect resumes the session when the server keeps it (session resume, on by default, within
 * its grace period): the same selfId, a fresh peer list, the relays sent meanwhile, and the others
 * saw nothing (`welcome` has `resumed: true`); the client says how many messages it received on the
 * lost connection, so the server also sends again the relays that connection swallowed. Otherwise it is a new session: a new selfId, and the
 * others see this peer leave and a new one join. `peers` always holds the current view.
 */
export class SignalingClient extends EventTarget {
  /** @param {string} url server base URL (ws://, wss://, http:// or https://) @param {string} topic @param {SignalingClientOptions} [options] */
  constructor(url, topic, options = {}) {
    super();
    this.url = url.replace(/^http/, 'ws').replace(/\/+$/, '');
    this.topic = topic;
    this.options = { reconnect: true, reconnectDelay: 500, maxReconnectDelay: 15000, restartJitter: 250,
      maxReconnectAttempts: Infinity, ackTimeout: 2000, ...options };
    /** @type {string|null} */ this.selfId = null;
    /** @type {Map<string, any>} peer id -> metadata */ this.peers = new Map();
    this._socket = null;
    this._closedByUser = false;
    this._attempt = 0;
    this._nextMsgId = 1;
    /** @type {Map<string, {resolve: Function, reject: Function, timer: any}>} */ this._pending = new Map();
    this._welcome = null;
    this._resumeToken = null;
    this._received = 0; // messages received on the current connection: a resume tells the server
    /** @type {RTCIceServer[]} TURN servers with current credentials, when options.turn */ this.iceServers = [];
    this._turnTimer = null;
  }

  /**
   * Fetches TURN credentials (GET /turn/credentials) and schedules their refresh at 80 % of their
   * lifetime. Resolves with the RTCIceServer list.
   * @returns {Promise<RTCIceServer[]>}
   */
  async refreshTurnCredentials() {
    const base = this.url.replace(/^ws/, 'http');
    const query = new URLSearchParams();
    if (this.selfId) query.set('peer', this.selfId);
    const headers = this.options.token ? { Authorization: `Bearer ${this.options.token}` } : {};
    const response = await fetch(`${base}/turn/credentials?${query}`, { headers });
    if (!response.ok) throw new Error(`TURN credentials: HTTP ${response.status}`);
    const { username, password, ttl, uris } = await response.json();
    this.iceServers = [{ urls: uris, username, credential: password }];
    clearTimeout(this._turnTimer);
    this._turnTimer = setTimeout(() => this.refreshTurnCredentials().catch((e) => this._emit('error', {
      code: 'turn_credentials', message: e.message })), Math.max(1000, ttl * 800));
    if (this._turnTimer.unref) this._turnTimer.unref(); // never keeps Node alive on its own
    this._emit('ice-servers', { iceServers: this.iceServers, ttl });
    return this.iceServers;
  }

  /** Opens the connection; resolves with the selfId once `welcome` has arrived. */
  connect() {
    this._closedByUser = false;
    const Impl = this.options.WebSocket || globalThis.WebSocket;
    if (!Impl) throw new Error('no WebSocket implementation: pass options.WebSocket');
    const query = new URLSearchParams();
    if (this.options.metadata !== undefined) query.set('metadata', JSON.stringify(this.options.metadata));
    // A browser's WebSocket cannot set headers: secrets ride in the subprotocol list, out of URLs and logs.
    const protocols = [];
    if (this.options.token) protocols.push(`access_token.${this.options.token}`);
    if (this._resumeToken) { // after a lost connection: same session, and what the old one lost again
      protocols.push(`resume.${this._resumeToken}`);
      query.set('received', String(this._received));
    } else if (this.options.resumable !== false) {
      query.set('resumable', 'true'); // a session that survives a lost connection, if the server allows
    }
    this._received = 0;
    const qs = query.toString();
    const target = `${this.url}/ws/${encodeURIComponent(this.topic)}${qs ? '?' + qs : ''}`;
    const socket = protocols.length ? new Impl(target, ['lanscape-signaling', ...protocols]) : new Impl(target);
    this._socket = socket;
    this._welcome = new Promise((resolve, reject) => {
      socket.onopen = () => this._emit('open', {});
      socket.onmessage = (event) => {
        if (socket === this._socket) this._received++;
        this._receive(event.data, resolve);
      };
      socket.onerror = () => { /* the close event follows and says what happened */ };
      socket.onclose = (event) => {
        if (this.selfId === null) reject(new Error(`connection closed before welcome (${event.code})`));
        this._closed(socket, event.code, event.reason);
      };
    });
    return this._welcome;
  }

  /**
   * Relays offer / answer / ice-candidate to one peer. Resolves once `ackTimeout` passed without
   * an error for it; rejects with a SignalingError (code target_not_found, dropped, ...) as soon
   * as the server answers one with this message's msgId.
   * @param {'offer'|'answer'|'ice-candidate'} type @param {string} to @param {any} payload
   */
  send(type, to, payload) {
    if (!RELAY_TYPES.has(type)) return Promise.reject(new TypeError(`not a relay type: ${type}`));
    if (!this._socket || this._socket.readyState !== 1) return Promise.reject(new Error('not connected'));
    const msgId = `${this.selfId}-${this._nextMsgId++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this._pending.delete(msgId); resolve(); }, this.options.ackTimeout);
      this._pending.set(msgId, { resolve, reject, timer });
      this._socket.send(JSON.stringify({ type, to, payload, msgId }));
    });
  }

  /** Closes for good (no reconnect). */
  close() {
    this._closedByUser = true;
    clearTimeout(this._turnTimer);
    if (this._socket) this._socket.close(1000, 'bye');
  }

  _receive(data, welcomed) {
    let message;
    try { message = JSON.parse(typeof data === 'string' ? data : String(data)); } catch { return; }
    switch (message.type) {
      case 'welcome': {
        const resumed = this._resumeToken !== null && message.selfId === this._previousId;
        this.selfId = message.selfId;
        this._resumeToken = message.resumeToken || null;
        this._attempt = 0;
        this.peers = new Map();
        this._emit('welcome', { selfId: message.selfId, resumed });
        welcomed(message.selfId);
        if (this.options.turn) this.refreshTurnCredentials().catch((e) => this._emit('error', {
          code: 'turn_credentials', message: e.message }));
        break;
      }
      case 'peer-list':
        for (const peer of message.peers || []) this.peers.set(peer.id, peer.metadata);
        this._emit('peers', { peers: message.peers || [] });
        break;
      case 'peer-joined':
        this.peers.set(message.peerId, message.metadata);
        this._emit('peer-joined', { peerId: message.peerId, metadata: message.metadata });
        break;
      case 'peer-left':
        this.peers.delete(message.peerId);
        this._emit('peer-left', { peerId: message.peerId });
        break;
      case 'error': {
        const pending = message.msgId !== undefined && this._pending.get(message.msgId);
        if (pending) {
          clearTimeout(pending.timer);
          this._pending.delete(message.msgId);
          pending.reject(new SignalingError(message.code, message.message, message.msgId));
        }
        this._emit('error', { code: message.code, message: message.message, msgId: message.msgId });
        break;
      }
      default:
        if (RELAY_TYPES.has(message.type)) {
          this._emit(message.type, { from: message.from, payload: message.payload, msgId: message.msgId });
        }
    }
  }

  _closed(socket, code, reason) {
    if (socket !== this._socket) return;
    for (const [, pending] of this._pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error(`connection closed (${code})`));
    }
    this._pending.clear();
    this._previousId = this.selfId;
    this.selfId = null;
    this.peers = new Map();
    this._emit('close', { code, reason });
    const final = this._closedByUser || FINAL_CLOSE_CODES.has(code) || !this.options.reconnect;
    if (final) this._resumeToken = null;
    if (final || this._attempt >= this.options.maxReconnectAttempts) return;
    const base = Math.min(this.options.maxReconnectDelay, this.options.reconnectDelay * 2 ** this._attempt);
    const delay = code === SERVICE_RESTART && this._attempt === 0
      ? Math.round(Math.random() * this.options.restartJitter) // the session waits on another node: at once
      : Math.round(base / 2 + Math.random() * base / 2); // jitter: clients do not come back in step
    this._attempt++;
    this._emit('reconnecting', { attempt: this._attempt, delay, code });
    setTimeout(() => {
      if (!this._closedByUser) this.connect().catch(() => { /* closes again: the next attempt follows */ });
    }, delay);
  }

  _emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
