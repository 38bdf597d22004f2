package org.lanscape.signaling.topic;

import jakarta.json.JsonValue;
import org.lanscape.signaling.protocol.PeerRecord;

import java.util.ArrayList;
import java.util.List;

/**
 * One peer of a topic: who it is, the life of its session, and its {@link Outbox}. The session has
 * one state, changed under this peer's lock: LIVE on a connection; AWAY while a resumable peer's
 * client may come back (relays are held); MOVING and then MOVED while another node takes the
 * session over; CLOSED once it left. Nothing is sent while this lock is held: what queues frames
 * leaves the sending to {@link #flush}, called by whoever holds no lock any more.
 */
public final class Peer {

    public enum State { LIVE, AWAY, MOVING, MOVED, CLOSED }

    /** What became of a relay offered to this peer. */
    public enum Delivery {
        /** Queued (or held while away; or kept for the node its session is moving to). */
        QUEUED,
        /** No room came within the relay wait: the sender gets {@code dropped}. */
        DROPPED,
        /** The session moved to another node ({@link #movedTo}): send it on there. */
        MOVED,
        /** The peer left. */
        GONE
    }

    private final String id;
    private final String topic;
    private final JsonValue metadata;
    private final boolean resumable;
    private final Outbox outbox;

    private volatile State state = State.LIVE;
    private volatile String requestId;
    private volatile PeerSocket socket;
    private volatile Credentials credentials;
    private volatile long awaySince;
    private volatile String movedTo;
    private volatile String resumeToken;
    private volatile long lastSeenAt;
    private volatile long lastPingAt;
    /** A ping went out on the current connection. */
    private volatile boolean pinged;
    /** Messages read from the client on its last connection, once it is gone (-1: unknown). */
    private volatile long clientMessages = -1;
    /** Relays offered while the session was moving: sent on to the new node once the hand-over went out. */
    private List<Frame> late = new ArrayList<>(0);

    /** @param resumable whether the client asked for a session that survives a lost connection */
    public Peer(String id, String topic, JsonValue metadata, String requestId, PeerSocket socket, boolean resumable,
                Credentials credentials, QueueLimits limits) {
        this.id = id;
        this.topic = topic;
        this.metadata = metadata;
        this.requestId = requestId;
        this.socket = socket;
        this.resumable = resumable;
        this.credentials = credentials;
        this.outbox = new Outbox(socket, limits.peerMaxBytes(), limits.node(), limits.observer(), limits.sendWindow(),
                resumable ? limits.replayChars() : 0, limits.writers());
        this.lastSeenAt = System.nanoTime();
        this.lastPingAt = lastSeenAt;
    }

    public String id() {
        return id;
    }

    public String topic() {
        return topic;
    }

    public JsonValue metadata() {
        return metadata;
    }

    public String requestId() {
        return requestId;
    }

    /** "peer=... topic=... requestId=...": the context every log line about this peer carries. */
    public String logContext() {
        return "peer=" + id + " topic=" + topic + " requestId=" + requestId;
    }

    public PeerRecord record() {
        return new PeerRecord(id, metadata);
    }

    /** Who the current connection authenticated as, and until when. */
    public Credentials credentials() {
        return credentials;
    }

    public State state() {
        return state;
    }

    public boolean isClosed() {
        return state == State.CLOSED;
    }

    public boolean isAway() {
        return state == State.AWAY;
    }

    /** Whether the client asked for a session that survives a lost connection. */
    public boolean resumable() {
        return resumable;
    }

    /** Messages read from the client on its last connection, once that is gone (-1: unknown). */
    public long clientMessages() {
        return clientMessages;
    }

    /** The node this peer's session moved to, or null while it is on this one. */
    public String movedTo() {
        return movedTo;
    }

    public String resumeToken() {
        return resumeToken;
    }

    public void resumeToken(String token) {
        resumeToken = token;
    }

    /** True while that socket is this peer's connection (not an older, lost one). */
    public boolean isCurrent(PeerSocket candidate) {
        return socket == candidate;
    }

    Outbox outbox() {
        return outbox;
    }

    // ---- what goes out ----

    /** A relay for this peer: waits at most {@code waitNanos} for room while it is connected. */
    public Delivery deliver(Frame relay, long waitNanos) {
        State now = state;
        if (now == State.MOVED || now == State.MOVING) {
            return keepForTheMove(relay);
        }
        if (now == State.CLOSED) {
            return Delivery.GONE;
        }
        return switch (outbox.offer(relay, now == State.AWAY ? 0 : waitNanos)) {
            case QUEUED -> Delivery.QUEUED;
            case FULL -> Delivery.DROPPED;
            case CLOSED -> keepForTheMove(relay); // closed under us: moving, moved or gone
        };
    }

    private synchronized Delivery keepForTheMove(Frame relay) {
        if (state == State.MOVING) {
            late.add(relay);
            return Delivery.QUEUED;
        }
        return state == State.MOVED ? Delivery.MOVED : Delivery.GONE;
    }

    /**
     * Queues a frame this peer must get (presence, an error for it); then {@link #flush}. False
     * when it has no room for it: a slow consumer. A peer that is not live takes nothing and is
     * not at fault: membership is replaced by the peer-list of its return.
     */
    public boolean enqueue(Frame frame) {
        State now = state;
        if (now == State.AWAY && frame.isKept()) {
            outbox.hold(frame); // an error about a message it sent: it gets it after its resume
            return true;
        }
        return now != State.LIVE || outbox.enqueue(frame) != Outbox.Result.FULL;
    }

    /** Frames a session starts with, before anything queued (welcome, peer-list, held relays); then {@link #flush}. */
    public void startWith(List<Frame> frames) {
        outbox.startWith(frames);
    }

    /** Starts sending what is queued; the first send happens on the caller's thread. */
    public void flush() {
        outbox.flush();
    }

    // ---- the session's life ----

    /** What taking its connection from a session did; the caller acts on it, and only on it. */
    public enum Hold {
        /** It was live and resumable: now held (AWAY) for a resume. */
        HELD,
        /** It was live and not resumable: the caller ends it. */
        NOT_RESUMABLE,
        /** It was not live (away already, moving, moved or closed): whoever changed that acts, nobody else. */
        NOT_LIVE
    }

    /** The connection was lost or given up on: a resumable live peer is held (AWAY). */
    public synchronized Hold suspend(long now) {
        if (state != State.LIVE) {
            return Hold.NOT_LIVE;
        }
        if (!resumable) {
            return Hold.NOT_RESUMABLE;
        }
        state = State.AWAY;
        awaySince = now;
        clientMessages = socket == null ? -1 : socket.received();
        socket = null;
        outbox.detach();
        return Hold.HELD;
    }

    /** As {@link #suspend}, and closes the connection of a peer it held with that code (ping timeout, write timeout, slow consumer). */
    public Hold suspendAndClose(long now, int code, String reason) {
        PeerSocket old;
        Hold hold;
        synchronized (this) {
            old = socket;
            hold = suspend(now);
        }
        if (hold == Hold.HELD && old != null) {
            old.close(code, reason);
        }
        return hold;
    }

    /**
     * Back on a new connection: {@code head} (welcome, the current peer-list), made from the number
     * of messages read from the client on its old connection (-1: unknown), then the relays the old
     * connection swallowed after the client's {@code received}-th frame (negative: it did not
     * say), then those held while away; then {@link #flush}. A connection still open is closed
     * with 1001. False if the session is no longer here.
     */
    public boolean resume(PeerSocket newSocket, String newRequestId, Credentials newCredentials,
                          java.util.function.LongFunction<List<Frame>> head, long now, long received) {
        PeerSocket previous;
        synchronized (this) {
            if (state != State.LIVE && state != State.AWAY) {
                return false;
            }
            previous = socket;
            List<Frame> start = head.apply(previous != null ? previous.received() : clientMessages);
            socket = newSocket;
            requestId = newRequestId;
            credentials = newCredentials;
            lastSeenAt = now;
            lastPingAt = now;
            pinged = false;
            outbox.resume(newSocket, start, received);
            state = State.LIVE;
        }
        if (previous != null) {
            previous.close(1001, "session resumed on another connection");
        }
        return true;
    }

    /**
     * The session starts moving to {@code toNode}: returns the relays it should get there (as
     * {@link #resume} would), or null if it is no longer here. Relays offered from now on are kept
     * until {@link #finishMove}, so that none reaches the new node before the hand-over does.
     */
    public List<Frame> startMove(String toNode, long received) {
        PeerSocket old;
        List<Frame> relays;
        synchronized (this) {
            if (state != State.LIVE && state != State.AWAY) {
                return null;
            }
            state = State.MOVING;
            movedTo = toNode;
            old = socket;
            if (old != null) {
                clientMessages = old.received();
            }
            socket = null;
            relays = outbox.handOver(received);
        }
        if (old != null) {
            old.close(1001, "session resumed on another node");
        }
        return relays;
    }

    /** The hand-over went out: from now on relays are sent on to the new node; returns those kept meanwhile. */
    public synchronized List<Frame> finishMove() {
        state = State.MOVED;
        List<Frame> kept = late;
        late = List.of();
        return kept;
    }

    /**
     * The grace period ran out while away: the session ends and the relays held for it are
     * returned (their senders are told). Null if it is not away, or not for that long: a resume
     * in between wins.
     */
    public synchronized List<Frame> expire(long now, long grace) {
        if (state != State.AWAY || now - awaySince <= grace) {
            return null;
        }
        state = State.CLOSED;
        return outbox.close();
    }

    /**
     * Ends the session and closes its connection with that code; returns the relays still queued
     * (their senders are told), empty if it had ended already.
     */
    public List<Frame> close(int code, String reason) {
        PeerSocket s;
        List<Frame> undelivered;
        synchronized (this) {
            s = socket;
            undelivered = end();
        }
        if (undelivered != null && s != null) {
            s.close(code, reason);
        }
        return undelivered == null ? List.of() : undelivered;
    }

    /**
     * The connection is already closing (the client closed it, or it failed): ends the session
     * without touching the socket. Closing it again would park a thread in Liberty until the
     * close handshake completes, for every connection that goes.
     */
    public List<Frame> detach() {
        List<Frame> undelivered = end();
        return undelivered == null ? List.of() : undelivered;
    }

    /**
     * Ends the session and closes its connection on the caller's thread, waiting for the close frame
     * (shutdown only); returns the relays still queued or held (their senders are told), or null
     * if it was not live or away (moving, moved or ended: not the caller's to end).
     */
    List<Frame> closeNow(int code, String reason) {
        PeerSocket s;
        List<Frame> undelivered;
        synchronized (this) {
            s = socket;
            undelivered = end();
        }
        if (undelivered != null && s != null) {
            s.closeNow(code, reason);
        }
        return undelivered;
    }

    /** LIVE or AWAY to CLOSED: the relays still queued; null when it had ended or moved already. */
    private synchronized List<Frame> end() {
        if (state != State.LIVE && state != State.AWAY) {
            return null;
        }
        state = State.CLOSED;
        return outbox.close();
    }

    // ---- liveness, for the watchdog ----

    /** Something (a message, a pong) arrived from this peer. */
    public void seen(long now) {
        lastSeenAt = now;
    }

    long lastSeenAt() {
        return lastSeenAt;
    }

    long lastPingAt() {
        return lastPingAt;
    }

    boolean pinged() {
        return pinged;
    }

    long awaySince() {
        return awaySince;
    }

    /** Sends a ping as soon as nothing is being written (a ping jumps the queue). */
    void ping(long now) {
        lastPingAt = now;
        pinged = true;
        outbox.ping();
    }

    /**
     * A pong with that data arrived: true if it answers this server's ping (which also lets the
     * frames that waited for the client to read go out, on the caller's thread).
     */
    public boolean pong(java.nio.ByteBuffer data) {
        return data.remaining() == Long.BYTES && outbox.ponged(data.getLong(data.position()));
    }

    /** Nothing queued and nothing being written (a peer that is not live counts as idle). */
    boolean isIdle() {
        return state != State.LIVE || outbox.isIdle();
    }
}
