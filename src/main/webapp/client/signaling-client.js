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
 * @property {string|(() => string|Promise<string>)} [token] JWT for servers with auth on (sent in the
 *   subprotocol list, never in the URL); a function is asked for a fresh token at every connect,
 *   which lets the client come back after its token expired (close code 4003).
 * @property {typeof WebSocket} [WebSocket] WebSocket implementation (default: globalThis.WebSocket).
 * @property {boolean} [reconnect=true] reconnect after an abnormal close.
 * @property {number} [reconnectDelay=500] first reconnect delay, ms; doubles up to maxReconnectDelay.
 * @property {number} [maxReconnectDelay=15000] ms.
 * @property {number} [restartJitter=250] after close code 1012 (the server restarts and another node
 *   takes the session) the reconnect comes at once, at a random moment within the window the server
 *   names in its close reason ("... within <n> ms"), or within this many ms if it names none.
 * @property {number} [maxReconnectAttempts=Infinity] then the client gives up (event `gave-up`).
 * @property {number} [ackTimeout=2000] how long send() waits for an error before it resolves, ms.
 * @property {boolean} [turn=false] fetch TURN credentials from the server after connecting and
 *   refresh them before they expire; they are in `iceServers` (event `ice-servers`).
 */

/** Error codes a relay can come back with (docs/protocol.md), and the client's own. */
export const ErrorCodes = Object.freeze({
  INVALID_TYPE: 'invalid_type', MISSING_TARGET: 'missing_target', TARGET_NOT_FOUND: 'target_not_found',
  DROPPED: 'dropped', INVALID_MESSAGE: 'invalid_message', RATE_LIMITED: 'rate_limited',
  RESUME_FAILED: 'resume_failed',
  /** The client's: the session ended (a new one began, or the client gave up) before the relay's fate was known. */
  SESSION_LOST: 'session_lost',
});

/** Close codes after which reconnecting cannot help (4003, token expired, unless the token is a function). */
const FINAL_CLOSE_CODES = new Set([1000, 1003, 1008, 1009, 4409]);
const TOKEN_EXPIRED = 4003;
/** The server restarts and hands the session to another node. */
const SERVICE_RESTART = 1012;
/** Handshake refusals a retry does not fix (HTTP status of the probe, see _probe). */
const FINAL_STATUSES = new Set([400, 401, 403, 404, 409]);
const RELAY_TYPES = new Set(['offer', 'answer', 'ice-candidate']);
/** setTimeout's largest delay: a longer one fires at once. */
const MAX_TIMER = 2 ** 31 - 1;
/** Relays sent on a connection, kept to send again what it lost (a resume says how many arrived). */
const SENT_LOG_MS = 120000;
const SENT_LOG_MAX = 1000;
/** An error that comes for a send that resolved already is still reported, marked late, this long. */
const LATE_ERROR_MS = 60000;

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
 * `welcome` {selfId, resumed}, `peers` {peers: PeerRecord[]}, `peer-joined` {peerId, metadata},
 * `peer-left` {peerId}, `offer` / `answer` / `ice-candidate` {from, payload, msgId},
 * `error` {code, message, msgId, late}, `open`, `close` {code, reason, willReconnect},
 * `reconnecting` {attempt, delay, code}, `gave-up` {code, reason, status}, `ice-servers` {iceServers, ttl}.
 * A reconnect resumes the session when the server keeps it (session resume, on by default, within
 * its grace period): the same selfId, a fresh peer list, the relays sent meanwhile, and the others
 * saw nothing (`welcome` has `resumed: true`). Nothing is lost on the way: the client says how many
 * messages it received on the lost connection and gets the relays that connection swallowed again;
 * the server says how many of the client's it read, and the client sends the rest again. A send
 * under way across a resume keeps its promise. Otherwise it is a new session: a new selfId, and the
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
    /** @type {RTCIceServer[]} TURN servers with current credentials, when options.turn */ this.iceServers = [];
    this._socket = null;
    this._conn = null; // the current connection: its socket, what it received and sent
    this._welcome = null;
    this._closedByUser = false;
    this._ended = true; // no session and no reconnect under way
    this._attempt = 0;
    this._reconnectTimer = null;
    this._nextMsgId = 1;
    /** @type {Map<string, {resolve: Function, reject: Function, timer: any}>} */ this._pending = new Map();
    /** @type {Map<string, number>} msgId -> when its send resolved */ this._resolved = new Map();
    this._sessionId = null; // the selfId of the session a reconnect resumes
    this._resumeToken = null;
    this._resumeReceived = 0; // messages received on the session's last connection
    this._resumeSent = []; // relays sent on it, numbered
    this._refreshedToken = false;
    this._turnTimer = null;
    this._turnUser = null;
    this._turnExpiresAt = 0;
    this._turnTtlMs = 0;
    this._turnFailures = 0;
  }

  /**
   * Fetches TURN credentials (GET /turn/credentials) and schedules their refresh at 80 % of their
   * lifetime; a failed fetch is tried again with backoff. Resolves with the RTCIceServer list.
   * @returns {Promise<RTCIceServer[]>}
   */
  async refreshTurnCredentials() {
    const base = this.url.replace(/^ws/, 'http');
    const query = new URLSearchParams();
    if (this.selfId) query.set('peer', this.selfId);
    const user = this.selfId;
    let response;
    try {
      const token = await this._token();
      response = await fetch(`${base}/turn/credentials?${query}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
      if (!response.ok) throw new Error(`TURN credentials: HTTP ${response.status}`);
    } catch (error) {
      this._turnFailures++;
      this._scheduleTurn(Math.min(60000, 2000 * 2 ** (this._turnFailures - 1)));
      throw error;
    }
    const { username, password, ttl, uris } = await response.json();
    this._turnFailures = 0;
    this._turnUser = user;
    this._turnTtlMs = ttl * 1000;
    this._turnExpiresAt = Date.now() + this._turnTtlMs;
    this.iceServers = [{ urls: uris, username, credential: password }];
    this._scheduleTurn(Math.max(1000, ttl * 800));
    this._emit('ice-servers', { iceServers: this.iceServers, ttl });
    return this.iceServers;
  }

  /** Opens the connection; resolves with the selfId once `welcome` has arrived. */
  connect() {
    clearTimeout(this._reconnectTimer);
    this._reconnectTimer = null;
    if (!this._closedByUser && this._welcome && (this._opening || (this._socket && this._socket.readyState <= 1))) {
      return this._welcome; // already connecting or connected
    }
    this._closedByUser = false;
    this._ended = false;
    this._welcome = this._open();
    this._welcome.catch(() => { /* the caller's copy rejects; reconnects ignore theirs */ });
    return this._welcome;
  }

  /**
   * Relays offer / answer / ice-candidate to one peer. Resolves once `ackTimeout` passed without
   * an error for it; rejects with a SignalingError (code target_not_found, dropped, ...) as soon
   * as the server answers one with this message's msgId. Across a lost connection the promise
   * waits for the resume (the relay is sent again if the server never read it); it rejects with
   * `session_lost` if the session ends instead. An error that comes after it resolved is an
   * `error` event with `late: true`.
   * @param {'offer'|'answer'|'ice-candidate'} type @param {string} to @param {any} payload
   */
  send(type, to, payload) {
    if (!RELAY_TYPES.has(type)) return Promise.reject(new TypeError(`not a relay type: ${type}`));
    const conn = this._conn;
    if (!conn || !conn.welcomed || conn.socket.readyState !== 1) return Promise.reject(new Error('not connected'));
    const msgId = `${this.selfId}-${this._nextMsgId++}`;
    const text = JSON.stringify({ type, to, payload, msgId });
    return new Promise((resolve, reject) => {
      const entry = { resolve, reject, timer: null };
      this._pending.set(msgId, entry);
      this._startAck(msgId, entry);
      this._transmit(conn, msgId, text);
    });
  }

  /** Closes for good (no reconnect). */
  close() {
    this._closedByUser = true;
    clearTimeout(this._reconnectTimer);
    this._reconnectTimer = null;
    if (this._socket && this._socket.readyState <= 1) {
      this._socket.close(1000, 'bye'); // its close event ends the session
    } else if (!this._ended) {
      this._end(1000, 'bye', null); // between attempts: nothing more will close
    }
  }

  async _open() {
    this._opening = true;
    let token;
    try {
      token = await this._token();
    } finally {
      this._opening = false;
    }
    if (this._closedByUser) throw new Error('closed before connecting');
    const Impl = this.options.WebSocket || globalThis.WebSocket;
    if (!Impl) throw new Error('no WebSocket implementation: pass options.WebSocket');
    const query = this._query();
    // A browser's WebSocket cannot set headers: secrets ride in the subprotocol list, out of URLs and logs.
    const protocols = [];
    if (token) protocols.push(`access_token.${token}`);
    if (this._resumeToken) { // after a lost connection: same session, and what the old one lost again
      protocols.push(`resume.${this._resumeToken}`);
      query.set('received', String(this._resumeReceived));
    } else if (this.options.resumable !== false) {
      query.set('resumable', 'true'); // a session that survives a lost connection, if the server allows
    }
    const qs = query.toString();
    const target = `${this.url}/ws/${encodeURIComponent(this.topic)}${qs ? '?' + qs : ''}`;
    const socket = protocols.length ? new Impl(target, ['lanscape-signaling', ...protocols]) : new Impl(target);
    const conn = { socket, received: 0, sent: [], sentCount: 0, welcomed: false, opened: false };
    this._socket = socket;
    this._conn = conn;
    return new Promise((resolve, reject) => {
      socket.onopen = () => {
        if (socket !== this._socket) return;
        conn.opened = true;
        this._emit('open', {});
      };
      socket.onmessage = (event) => {
        if (socket !== this._socket) return; // a connection we left behind says nothing any more
        conn.received++;
        this._receive(conn, event.data, resolve);
      };
      socket.onerror = () => { /* the close event follows and says what happened */ };
      socket.onclose = (event) => {
        if (!conn.welcomed) reject(new Error(`connection closed before welcome (${event.code})`));
        this._closed(conn, event.code, event.reason);
      };
    });
  }

  async _token() {
    const token = this.options.token;
    return typeof token === 'function' ? token() : token;
  }

  _query() {
    const query = new URLSearchParams();
    if (this.options.metadata !== undefined) query.set('metadata', JSON.stringify(this.options.metadata));
    return query;
  }

  _receive(conn, data, welcomed) {
    let message;
    try { message = JSON.parse(typeof data === 'string' ? data : String(data)); } catch { return; }
    switch (message.type) {
      case 'welcome': {
        const resumed = this._resumeToken !== null && message.selfId === this._sessionId;
        conn.welcomed = true;
        this.selfId = message.selfId;
        this._sessionId = message.selfId;
        this._resumeToken = message.resumeToken || null;
        this._attempt = 0;
        this._refreshedToken = false;
        this.peers = new Map();
        if (resumed) {
          this._resendAfter(conn, typeof message.received === 'number' ? message.received : null);
        } else {
          this._failPending(ErrorCodes.SESSION_LOST, 'the session ended before the server answered');
          this._resumeSent = [];
        }
        this._emit('welcome', { selfId: message.selfId, resumed });
        welcomed(message.selfId);
        if (this.options.turn && this._turnStale()) this.refreshTurnCredentials().catch((e) => this._emit('error', {
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
        const late = !pending && message.msgId !== undefined && this._resolved.has(message.msgId);
        this._emit('error', { code: message.code, message: message.message, msgId: message.msgId, late });
        break;
      }
      default:
        if (RELAY_TYPES.has(message.type)) {
          this._emit(message.type, { from: message.from, payload: message.payload, msgId: message.msgId });
        }
    }
  }

  /** Sends and numbers a relay on that connection, and logs it for a resume. */
  _transmit(conn, msgId, text) {
    conn.sentCount++;
    const now = Date.now();
    conn.sent.push({ n: conn.sentCount, msgId, text, at: now });
    while (conn.sent.length > SENT_LOG_MAX || (conn.sent.length > 0 && now - conn.sent[0].at > SENT_LOG_MS)) conn.sent.shift();
    conn.socket.send(text);
  }

  /** A resumed session: what the server did not read of the old connection goes again; waiting sends wait on. */
  _resendAfter(conn, read) {
    if (read !== null) {
      for (const sent of this._resumeSent) {
        if (sent.n > read) this._transmit(conn, sent.msgId, sent.text);
      }
    }
    this._resumeSent = [];
    for (const [msgId, entry] of this._pending) this._startAck(msgId, entry);
  }

  _startAck(msgId, entry) {
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      this._pending.delete(msgId);
      this._resolved.set(msgId, Date.now());
      for (const [id, at] of this._resolved) { // oldest first
        if (Date.now() - at <= LATE_ERROR_MS) break;
        this._resolved.delete(id);
      }
      entry.resolve();
    }, this.options.ackTimeout);
  }

  _failPending(code, message) {
    for (const [msgId, pending] of this._pending) {
      clearTimeout(pending.timer);
      pending.reject(new SignalingError(code, message, msgId));
    }
    this._pending.clear();
  }

  _closed(conn, code, reason) {
    if (conn.socket !== this._socket) return;
    if (conn.welcomed) { // a failed attempt keeps the counts of the session's last connection
      this._resumeReceived = conn.received;
      this._resumeSent = conn.sent;
    }
    this.selfId = null;
    this.peers = new Map();
    for (const [, pending] of this._pending) clearTimeout(pending.timer); // they wait for the resume
    const refreshable = typeof this.options.token === 'function';
    if (this._closedByUser || !this.options.reconnect || FINAL_CLOSE_CODES.has(code)
        || (code === TOKEN_EXPIRED && !refreshable)) {
      this._end(code, reason, null);
      return;
    }
    if (this._attempt >= this.options.maxReconnectAttempts) {
      this._end(code, reason, null);
      return;
    }
    this._emit('close', { code, reason, willReconnect: true });
    if (!conn.opened) { // refused at the handshake, or no server: a browser says only 1006
      this._probe().then((refusal) => {
        if (this._closedByUser || this._ended || conn.socket !== this._socket) return;
        if (refusal.final) this._end(code, reason, refusal.status);
        else this._schedule(code, reason, refusal.retryAfter);
      });
      return;
    }
    this._schedule(code, reason, 0);
  }

  /**
   * Asks the handshake's URL over plain HTTP why a connection was refused: the server answers with
   * the status the upgrade got (401, 403, 409, 503 ...; 426 when it would be accepted now).
   */
  async _probe() {
    try {
      const token = await this._token();
      const qs = this._query().toString();
      const url = `${this.url.replace(/^ws/, 'http')}/ws/${encodeURIComponent(this.topic)}${qs ? '?' + qs : ''}`;
      const response = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
      const status = response.status;
      const retryAfter = Number(response.headers.get('Retry-After')) || 0;
      if (status === 401 && typeof this.options.token === 'function' && !this._refreshedToken) {
        this._refreshedToken = true; // one more try with a fresh token
        return { final: false, status, retryAfter };
      }
      // With a session to resume, a full topic or node does not count: the resume takes no new place.
      const final = FINAL_STATUSES.has(status) && !(this._resumeToken && status === 409);
      return { final, status, retryAfter };
    } catch {
      return { final: false, status: 0, retryAfter: 0 }; // no answer at all: the network or the server is down
    }
  }

  _schedule(code, reason, retryAfterSeconds) {
    const base = Math.min(this.options.maxReconnectDelay, this.options.reconnectDelay * 2 ** this._attempt);
    let delay;
    if (code === SERVICE_RESTART && this._attempt === 0) { // the session waits on another node: at once
      const named = /within (\d+) ?ms/.exec(reason || '');
      const window = named ? Math.min(60000, Number(named[1])) : this.options.restartJitter;
      delay = Math.round(Math.random() * window);
    } else {
      delay = Math.round(base / 2 + Math.random() * base / 2); // jitter: clients do not come back in step
    }
    delay = Math.min(MAX_TIMER, Math.max(delay, retryAfterSeconds * 1000));
    this._attempt++;
    this._emit('reconnecting', { attempt: this._attempt, delay, code });
    this._reconnectTimer = setTimeout(() => {
      this._reconnectTimer = null;
      if (!this._closedByUser) this.connect();
    }, delay);
  }

  /** The session is over: nothing more is sent, no reconnect, no TURN refresh. */
  _end(code, reason, status) {
    this._ended = true;
    this._resumeToken = null;
    this._sessionId = null;
    this._resumeSent = [];
    this.selfId = null;
    this.peers = new Map();
    clearTimeout(this._turnTimer);
    this._turnTimer = null;
    for (const [, pending] of this._pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error(`connection closed (${code})`));
    }
    this._pending.clear();
    this._emit('close', { code, reason, willReconnect: false });
    if (!this._closedByUser) this._emit('gave-up', { code, reason, status });
  }

  /** True when the credentials in hand are missing, for another peer id, or in the last fifth of their life. */
  _turnStale() {
    const left = this._turnExpiresAt - Date.now();
    return this.iceServers.length === 0 || this._turnUser !== this.selfId || left < 0.2 * this._turnTtlMs;
  }

  _scheduleTurn(delay) {
    clearTimeout(this._turnTimer);
    this._turnTimer = null;
    if (this._ended || this._closedByUser) return; // a final close stops the refresh
    this._turnTimer = setTimeout(() => this.refreshTurnCredentials().catch((e) => this._emit('error', {
      code: 'turn_credentials', message: e.message })), Math.min(MAX_TIMER, delay));
    if (this._turnTimer.unref) this._turnTimer.unref(); // never keeps Node alive on its own
  }

  _emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
