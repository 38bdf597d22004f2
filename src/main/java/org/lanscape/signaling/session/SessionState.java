package org.lanscape.signaling.session;

import org.lanscape.signaling.delivery.Frame;
import org.lanscape.signaling.delivery.Outbox;
import org.lanscape.signaling.delivery.PeerSocket;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * The life of one peer's session, owned here alone (on the model of Jetty's
 * {@code WebSocketSessionState}): one state value and the connection it goes with, changed only
 * by the transitions below. Each is one atomic step under this object's lock that returns what
 * happened; callers act on that outcome and on nothing they read earlier. The socket is closed
 * after the step, outside the lock, by the caller the step chose; Redis is the caller's, after.
 * <pre>
 *   LIVE ─hold─▶ AWAY ─resume─▶ LIVE          (a resumable client lost its connection, came back)
 *   LIVE | AWAY ─startMove─▶ MOVING ─finishMove─▶ MOVED   (another node, or Redis, has it now)
 *   LIVE | AWAY ─end─▶ CLOSED                 (left, closed, failed and not resumable, shut down)
 *   AWAY ─expire─▶ CLOSED                     (the grace period ran out)
 * </pre>
 */
public final class SessionState {

    public enum State { LIVE, AWAY, MOVING, MOVED, CLOSED }

    /** What taking its connection from a session did; the caller acts on it, and only on it. */
    public enum Hold {
        /** It was live and resumable: now held (AWAY) for a resume. */
        HELD,
        /** It was live and not resumable: the caller ends it. */
        NOT_RESUMABLE,
        /** It was not live (away already, moving, moved or closed): whoever changed that acts, nobody else. */
        NOT_LIVE
    }

    /** What {@link #keep} did with a relay offered while the session was not taking any. */
    public enum Kept { KEPT, MOVED, GONE }

    private final boolean resumable;
    private final Outbox outbox;
    private final ClientLiveness liveness;

    private volatile State state = State.LIVE;
    private volatile PeerSocket socket;
    private volatile String requestId;
    private volatile Credentials credentials;
    private volatile long awaySince;
    private volatile String movedTo;
    /** Messages read from the client on its last connection, once it is gone (-1: unknown). */
    private volatile long clientMessages = -1;
    /** Relays offered while MOVING: sent on to the new node once the hand-over went out. */
    private List<Frame> late = new ArrayList<>(0);

    SessionState(boolean resumable, Outbox outbox, ClientLiveness liveness, PeerSocket socket, String requestId,
                 Credentials credentials) {
        this.resumable = resumable;
        this.outbox = outbox;
        this.liveness = liveness;
        this.socket = socket;
        this.requestId = requestId;
        this.credentials = credentials;
    }

    // ---- transitions ----

    /** LIVE to AWAY for a resumable session whose connection was lost or given up on. */
    public synchronized Hold hold(long now) {
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

    /** As {@link #hold}, then closes the connection it held with that code (ping or write timeout, slow consumer, shutdown). */
    public Hold holdAndClose(long now, int code, String reason) {
        PeerSocket old;
        Hold hold;
        synchronized (this) {
            old = socket;
            hold = hold(now);
        }
        if (hold == Hold.HELD && old != null) {
            old.close(code, reason);
        }
        return hold;
    }

    /**
     * LIVE or AWAY to LIVE on a new connection, which starts with {@code head} (made from the count
     * of messages read on the old one, -1: unknown), then what {@link Outbox#resume} replays; the
     * caller then flushes. A connection still open is closed with 1001. False if no longer here.
     */
    public boolean resume(PeerSocket newSocket, String newRequestId, Credentials newCredentials,
                          LongFunction<List<Frame>> head, long now, long received) {
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
            liveness.reset(now);
            outbox.resume(newSocket, start, received);
            state = State.LIVE;
        }
        if (previous != null) {
            previous.close(1001, "session resumed on another connection");
        }
        return true;
    }

    /**
     * LIVE or AWAY to MOVING towards {@code toNode}: the relays it should get there (as {@link #resume}
     * would), or null if it is no longer here. Relays offered from now on are {@link #keep kept}
     * until {@link #finishMove}: none reaches the new node before the hand-over does.
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

    /** MOVING to MOVED, once the hand-over went out: returns the relays kept meanwhile, to send on. */
    public synchronized List<Frame> finishMove() {
        state = State.MOVED;
        List<Frame> kept = late;
        late = List.of();
        return kept;
    }

    /** A relay the outbox did not take: kept while MOVING, else where the session went. */
    public synchronized Kept keep(Frame relay) {
        if (state == State.MOVING) {
            late.add(relay);
            return Kept.KEPT;
        }
        return state == State.MOVED ? Kept.MOVED : Kept.GONE;
    }

    /** AWAY to CLOSED once the grace period ran out: the relays held for it; null if a resume came first. */
    public synchronized List<Frame> expire(long now, long grace) {
        if (state != State.AWAY || now - awaySince <= grace) {
            return null;
        }
        state = State.CLOSED;
        return outbox.close();
    }

    /**
     * LIVE or AWAY to CLOSED, then closes the connection with that code (on the caller's thread
     * and waiting for the close frame when {@code now}: shutdown only). Returns the relays still
     * queued or held (their senders are told), or null if it had ended or moved already: not the
     * caller's to end.
     */
    public List<Frame> end(int code, String reason, boolean now) {
        PeerSocket s;
        List<Frame> undelivered;
        synchronized (this) {
            s = socket;
            undelivered = end();
        }
        if (undelivered != null && s != null) {
            if (now) {
                s.closeNow(code, reason);
            } else {
                s.close(code, reason);
            }
        }
        return undelivered;
    }

    /** LIVE or AWAY to CLOSED when the connection is closing already (closing it again would park a Liberty thread). */
    public synchronized List<Frame> end() {
        if (state != State.LIVE && state != State.AWAY) {
            return null;
        }
        state = State.CLOSED;
        return outbox.close();
    }

    // ---- reads ----

    public State state() {
        return state;
    }

    public boolean resumable() {
        return resumable;
    }

    public String requestId() {
        return requestId;
    }

    /** Who the current connection authenticated as, and until when. */
    public Credentials credentials() {
        return credentials;
    }

    /** True while that socket is this session's connection (not an older, lost one). */
    public boolean isCurrent(PeerSocket candidate) {
        return socket == candidate;
    }

    /** When the session went AWAY (nanoTime). */
    public long awaySince() {
        return awaySince;
    }

    /** The node this session moved to, or null while it is on this one. */
    public String movedTo() {
        return movedTo;
    }

    /** Messages read from the client on its last connection, once that is gone (-1: unknown). */
    public long clientMessages() {
        return clientMessages;
    }
}
