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
  /** JWT for servers with auth on (sent in the subprotocol list, never in the URL). */
  token?: string;
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
  /** After close code 1012 (the node restarts), reconnect at once within this many ms (default 250). */
  restartJitter?: number;
  /** default Infinity */
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
  'error': { code: string; message: string; msgId?: unknown };
  'open': Record<string, never>;
  'close': { code: number; reason: string };
  'reconnecting': { attempt: number; delay: number; code: number };
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
  /** Relays to one peer; rejects with a SignalingError when the server answers with an error for it. */
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
