package org.lanscape.signaling.session;

import jakarta.json.JsonValue;
import org.lanscape.signaling.delivery.Frame;
import org.lanscape.signaling.delivery.Outbox;
import org.lanscape.signaling.delivery.PeerSocket;
import org.lanscape.signaling.delivery.QueueLimits;
import org.lanscape.signaling.protocol.PeerRecord;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * One peer of a topic: who it is, its {@link SessionState session} and its {@link Outbox}.
 * Nothing is sent while a lock is held: what queues frames leaves the sending to {@link #flush},
 * called by whoever holds no lock any more.
 */
public final class Peer {

    /** What became of a relay offered to this peer. */
    public enum Delivery {
        /** Queued (or held while away; or kept for the node its session is moving to). */
        QUEUED,
        /** No room came within the relay wait: the sender gets {@code dropped}. */
        DROPPED,
        /** The session moved to another node ({@link SessionState#movedTo}): send it on there. */
        MOVED,
        /** The peer left. */
        GONE
    }

    private final String id;
    private final String topic;
    private final JsonValue metadata;
    private final Outbox outbox;
    private final ClientLiveness liveness;
    private final SessionState session;
    private final LongPredicate reclaim;
    private volatile String resumeToken;

    /** @param resumable whether the client asked for a session that survives a lost connection */
    public Peer(String id, String topic, JsonValue metadata, String requestId, PeerSocket socket, boolean resumable,
                Credentials credentials, QueueLimits limits) {
        this.id = id;
        this.topic = topic;
        this.metadata = metadata;
        this.outbox = new Outbox(socket, limits.peerMaxBytes(), limits.node(), limits.handedOff(), limits.sendWindow(),
                resumable ? limits.replayBytes() : 0, limits.logs(), limits.writers());
        this.liveness = new ClientLiveness(System.nanoTime());
        this.session = new SessionState(resumable, outbox, liveness, socket, requestId, credentials);
        this.reclaim = limits.reclaim();
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

    public PeerRecord record() {
        return new PeerRecord(id, metadata);
    }

    /** "peer=... topic=... requestId=...": the context every log line about this peer carries. */
    public String logContext() {
        return "peer=" + id + " topic=" + topic + " requestId=" + session.requestId();
    }

    /** The session's life: every change of it goes through here. */
    public SessionState session() {
        return session;
    }

    public SessionState.State state() {
        return session.state();
    }

    public boolean isAway() {
        return session.state() == SessionState.State.AWAY;
    }

    public Credentials credentials() {
        return session.credentials();
    }

    public String resumeToken() {
        return resumeToken;
    }

    public void resumeToken(String token) {
        resumeToken = token;
    }

    public Outbox outbox() {
        return outbox;
    }

    public ClientLiveness liveness() {
        return liveness;
    }

    // ---- what goes out ----

    /** A relay for this peer: waits at most {@code waitNanos} for room while it is connected. */
    public Delivery deliver(Frame relay, long waitNanos) {
        SessionState.State now = session.state();
        if (now == SessionState.State.LIVE || now == SessionState.State.AWAY) {
            boolean away = now == SessionState.State.AWAY;
            Outbox.Result result = outbox.offer(relay, away ? 0 : waitNanos, away);
            if (result == Outbox.Result.NODE_FULL && !away && reclaim.test(relay.bytes())) {
                result = outbox.offer(relay, 0, false); // room taken from sessions held for a resume, for one that reads
            }
            switch (result) {
                case QUEUED:
                    return Delivery.QUEUED;
                case FULL, NODE_FULL:
                    return Delivery.DROPPED;
                default: // closed under us: moving, moved or gone
            }
        }
        return switch (session.keep(relay)) {
            case KEPT -> Delivery.QUEUED;
            case MOVED -> Delivery.MOVED;
            case GONE -> Delivery.GONE;
        };
    }

    /**
     * Queues a frame this peer must get (presence, an error for it); then {@link #flush}. False
     * when it has no room for it: a slow consumer. A peer that is not live takes nothing and is
     * not at fault: membership is replaced by the peer-list of its return.
     */
    public boolean enqueue(Frame frame) {
        SessionState.State now = session.state();
        if (now == SessionState.State.AWAY && frame.isKept()) {
            outbox.hold(frame); // an error about a message it sent: it gets it after its resume
            return true;
        }
        return now != SessionState.State.LIVE || outbox.enqueue(frame) != Outbox.Result.FULL;
    }

    /** Frames a session starts with, before anything queued (welcome, peer-list, held relays); then {@link #flush}. */
    public void startWith(List<Frame> frames) {
        outbox.startWith(frames);
    }

    /** Starts sending what is queued, on a writer thread. */
    public void flush() {
        outbox.flush();
    }

    /** Sends a ping as soon as nothing is being written (a ping jumps the queue). */
    public void ping(long now) {
        liveness.pingSent(now);
        outbox.ping();
    }

    /**
     * A pong with that data arrived: true if it answers this server's ping (which also lets the
     * frames that waited for the client to read go out).
     */
    public boolean pong(ByteBuffer data) {
        return data.remaining() == Long.BYTES && outbox.ponged(data.getLong(data.position()));
    }

    /** Nothing queued and nothing being written (a peer that is not live counts as idle). */
    public boolean isIdle() {
        return session.state() != SessionState.State.LIVE || outbox.isIdle();
    }
}
