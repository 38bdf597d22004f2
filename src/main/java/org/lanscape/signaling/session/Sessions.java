package org.lanscape.signaling.session;

import org.lanscape.signaling.config.SignalingConfig;
import org.lanscape.signaling.delivery.Frame;
import org.lanscape.signaling.telemetry.LogThrottle;
import org.lanscape.signaling.topic.Relays;
import org.lanscape.signaling.topic.TopicObserver;
import org.lanscape.signaling.topic.TopicRegistry;

import java.time.Duration;
import java.util.List;
import java.util.logging.Logger;

/**
 * The ways a session ends, or is held instead: each applies one {@link SessionState} transition
 * and acts on its outcome alone (the socket and the topic are touched after it, by the caller the
 * transition chose); relays still queued for a session that ends are answered dropped.
 */
public final class Sessions {

    /** Close code for a peer that had no room in its queue for an event it had to get. */
    public static final int SLOW_CONSUMER = 4002;
    /** Close code for a peer whose token expired. */
    public static final int TOKEN_EXPIRED = 4003;

    private static final Logger LOG = Logger.getLogger(Sessions.class.getName());

    private final TopicRegistry registry;
    private final Relays relays;
    private final ResumeTokenStore tokens;
    private final SessionMigration migration;
    private final SignalingConfig config;
    private final TopicObserver observer;

    public Sessions(TopicRegistry registry, Relays relays, ResumeTokenStore tokens, SessionMigration migration,
                    SignalingConfig config, TopicObserver observer) {
        this.registry = registry;
        this.relays = relays;
        this.tokens = tokens;
        this.migration = migration;
        this.config = config;
        this.observer = observer;
    }

    /** The client closed the connection: the peer leaves; relays still queued for it are answered dropped. */
    public void connectionClosed(Peer peer) {
        ended(peer, peer.session().end());
    }

    /** The connection was lost without a close frame: a resumable peer is held, any other leaves. */
    public void connectionLost(Peer peer) {
        switch (peer.session().hold(System.nanoTime())) {
            case HELD -> LOG.fine(() -> "peer away, resumable for " + config.resumeGrace() + ": " + peer.logContext());
            case NOT_RESUMABLE -> connectionClosed(peer);
            case NOT_LIVE -> { } // away, moving, moved or ended already: not this connection's to end
        }
    }

    /**
     * The server gives up on the connection (ping timeout, write timeout, a failed send, a slow
     * consumer): it is closed with that code, and a resumable peer is held as after a lost
     * connection; any other leaves.
     */
    public void connectionFailed(Peer peer, int closeCode, String reason) {
        switch (peer.session().holdAndClose(System.nanoTime(), closeCode, reason)) {
            case HELD -> LOG.fine(() -> "peer away after " + reason + ", resumable for " + config.resumeGrace() + ": "
                    + peer.logContext());
            case NOT_RESUMABLE -> disconnect(peer, closeCode, reason);
            // held already (a slow consumer while away keeps its session: its return brings a fresh
            // peer-list), moving or moved to another node (a verdict read before the move), or ended
            case NOT_LIVE -> { }
        }
    }

    /** A peer had no room for a frame it had to get. */
    public void slowConsumer(Peer peer) {
        observer.slowConsumer();
        LogThrottle.SHARED.info(LOG, "slow-consumer",
                () -> "closing peer: its queue is full (" + peer.outbox().queuedBytes() + " bytes): slow consumer: "
                + peer.logContext());
        connectionFailed(peer, SLOW_CONSUMER, "slow consumer");
    }

    /** Ends the session and closes its connection with that close code; the peer leaves. */
    public void disconnect(Peer peer, int closeCode, String reason) {
        ended(peer, peer.session().end(closeCode, reason, false));
    }

    /**
     * The node is stopping and another node can take the session: the connection is closed with
     * that code and the peer is held, as after a lost connection, for the client to resume
     * elsewhere. False (nothing done) for a peer that is not resumable or not live.
     */
    public boolean releaseForHandOver(Peer peer, int closeCode, String reason) {
        if (!registry.resumeEnabled() || !peer.session().resumable()) {
            return false;
        }
        boolean held = peer.session().holdAndClose(System.nanoTime(), closeCode, reason) == SessionState.Hold.HELD;
        if (held) {
            LOG.fine(() -> "peer released for a resume on another node: " + peer.logContext());
        }
        return held;
    }

    /**
     * The node stops and nobody claimed this released session in time: it is parked in the cluster
     * for what is left of its grace period, for a resume on any node; if the bus cannot take it,
     * it leaves. True if parked.
     */
    public boolean park(Peer peer) {
        Duration left = config.resumeGrace().minusNanos(System.nanoTime() - peer.session().awaySince());
        if (peer.isAway() && left.toMillis() >= 1 && migration.park(peer, left)) {
            return true;
        }
        if (peer.session().movedTo() != null) {
            return false; // a claim took it meanwhile (the claim finishes it), or the park refused it and it left
        }
        connectionClosed(peer); // ends it unless something else did (then that one finishes it)
        return false;
    }

    /**
     * The node stops and the session cannot move: it ends, its connection closed with that code on
     * the caller's thread (a held one has none). Nothing happens to a session that is moving or moved.
     */
    public void shutDown(Peer peer, int closeCode, String reason) {
        ended(peer, peer.session().end(closeCode, reason, true));
    }

    /**
     * Ends the session of a peer away for longer than the grace period: it leaves, its token reads
     * as expired, the relays held for it are answered dropped. Nothing happens if it came back.
     */
    public void expireIfDue(Peer peer, long now) {
        List<Frame> held = peer.session().expire(now, config.resumeGrace().toNanos());
        if (held != null) {
            LOG.fine(() -> "peer did not come back within the grace period: " + peer.logContext());
            tokens.expired(peer, now);
            ended(peer, held);
        }
    }

    /** Forgets expired tokens and moved peers older than a minute (called by the watchdog). */
    public void forgetStale(long now) {
        tokens.forgetStale(now);
        migration.forgetStale(now);
    }

    /** After a transition that ended the session ({@code undelivered} not null): it leaves, its senders hear. */
    private void ended(Peer peer, List<Frame> undelivered) {
        if (undelivered != null) { // else moving, moved or ended already: whoever changed that finishes it
            registry.leave(peer);
            relays.undelivered(peer.topic(), undelivered);
        }
    }
}
