// Type declarations for signaling-client.js (an ES module without dependencies).
// Protocol: docs/protocol.md. Checked by `tsc --noEmit` on src/test/js/types-usage.ts.

/** A peer as `peer-list` and `peer-joined` describe it. */
export interface PeerRecord {
  id: string;
  metadata?: unknown;
}

export interface SignalingClientOptions {
  /** JSON object describing this peer to the others (at most 4 KiB). */
  metadata?: unknown;
  /**
   * JWT for servers with auth on (sent in the subprotocol list, never in the URL). A function is
   * asked for a fresh token at every connect, which lets the client come back after close code
   * 4003 (token expired) or a refused handshake (401).
   */
  token?: string | (() => string | Promise<string>);
  /** WebSocket implementation (default: globalThis.WebSocket; in Node pass `ws`). */
  WebSocket?: unknown;
  /** Ask for a session that survives a lost connection (default true). */
  resumable?: boolean;
  /** Reconnect after an abnormal close (default true). */
  reconnect?: boolean;
  /** First reconnect delay, ms (default 500); doubles up to maxReconnectDelay. */
  reconnectDelay?: number;
  /** ms (default 15000). */
  maxReconnectDelay?: number;
  /**
   * After close code 1012 (the node restarts), reconnect at once, at a random moment within the
   * window the server names in its close reason ("... within <n> ms"), else within this many ms (default 250).
   */
  restartJitter?: number;
  /** default Infinity; then the client gives up (event `gave-up`). */
  maxReconnectAttempts?: number;
  /** How long send() waits for an error before it resolves, ms (default 2000). */
  ackTimeout?: number;
  /** Fetch TURN credentials after connecting and refresh them before they expire. */
  turn?: boolean;
}

export type RelayType = 'offer' | 'answer' | 'ice-candidate';

/** The `detail` of each event the client dispatches. */
export interface SignalingEventMap {
  'welcome': { selfId: string; resumed: boolean };
  'peers': { peers: PeerRecord[] };
  'peer-joined': { peerId: string; metadata?: unknown };
  'peer-left': { peerId: string };
  'offer': { from: string; payload: unknown; msgId?: unknown };
  'answer': { from: string; payload: unknown; msgId?: unknown };
  'ice-candidate': { from: string; payload: unknown; msgId?: unknown };
  /** `late`: the error is for a send that had resolved already (no error within ackTimeout). */
  'error': { code: string; message: string; msgId?: unknown; late?: boolean };
  'open': Record<string, never>;
  /** Every close; `willReconnect` false when the session ended (then `gave-up` follows unless close() was called). */
  'close': { code: number; reason: string; willReconnect: boolean };
  'reconnecting': { attempt: number; delay: number; code: number };
  /**
   * The client stopped trying: a close code a retry cannot fix (1003, 1008, 1009, 4003 without a
   * token function, 4409), a refused handshake (`status`: 400, 401, 403, 404, 409), or
   * maxReconnectAttempts reached. Not after close().
   */
  'gave-up': { code: number; reason: string; status: number | null };
  'ice-servers': { iceServers: RTCIceServerLike[]; ttl: number };
}

/** The shape of an RTCIceServer, without needing the DOM library. */
export interface RTCIceServerLike {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export declare const ErrorCodes: Readonly<{
  INVALID_TYPE: 'invalid_type';
  MISSING_TARGET: 'missing_target';
  TARGET_NOT_FOUND: 'target_not_found';
  DROPPED: 'dropped';
  INVALID_MESSAGE: 'invalid_message';
  RATE_LIMITED: 'rate_limited';
  RESUME_FAILED: 'resume_failed';
  SESSION_LOST: 'session_lost';
}>;

/** An error frame from the server, for a message this client sent. */
export declare class SignalingError extends Error {
  constructor(code: string, message: string, msgId: unknown);
  readonly code: string;
  readonly msgId: unknown;
}

/** One peer in one topic. */
export declare class SignalingClient extends EventTarget {
  constructor(url: string, topic: string, options?: SignalingClientOptions);
  readonly url: string;
  readonly topic: string;
  /** This peer's id while connected, else null. */
  selfId: string | null;
  /** The current view: peer id -> metadata. */
  peers: Map<string, unknown>;
  /** TURN servers with current credentials, when options.turn. */
  iceServers: RTCIceServerLike[];
  /** Opens the connection; resolves with the selfId once `welcome` has arrived. */
  connect(): Promise<string>;
  /**
   * Relays to one peer; rejects with a SignalingError when the server answers with an error for
   * it; resolves after ackTimeout otherwise. Across a lost connection it waits for the resume (the
   * relay goes again if the server never read it); `session_lost` if the session ends instead.
   */
  send(type: RelayType, to: string, payload: unknown): Promise<void>;
  /** Fetches TURN credentials and schedules their refresh. */
  refreshTurnCredentials(): Promise<RTCIceServerLike[]>;
  /** Closes for good (no reconnect). */
  close(): void;
  addEventListener<K extends keyof SignalingEventMap>(type: K,
    listener: (event: CustomEvent<SignalingEventMap[K]>) => void, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions): void;
}
