package org.lanscape.signaling.session;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.lanscape.signaling.config.SignalingConfig;
import org.lanscape.signaling.telemetry.LogThrottle;
import org.lanscape.signaling.topic.TopicRegistry;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps every peer honest, on one timer for the whole node: pings each peer every ping interval,
 * closes a peer silent for two intervals (close code 4000) or whose queue has not moved for longer
 * than the write timeout (4001: its client confirms nothing it is sent), and removes peers whose
 * socket failed.
 */
@ApplicationScoped
public class PeerWatchdog {

    /** Close code for a peer that did not answer a ping within the write timeout, or was silent for two ping intervals. */
    public static final int PING_TIMEOUT = 4000;
    /** Close code for a peer whose queue did not move within the write timeout. */
    public static final int WRITE_TIMEOUT = 4001;

    private static final Logger LOG = Logger.getLogger(PeerWatchdog.class.getName());
    /** A failed send after which the runtime did not report the close: the connection is taken as lost. */
    private static final long BROKEN_GRACE = TimeUnit.MILLISECONDS.toNanos(500);
    /**
     * The first ping goes out this soon after a connection opens: a runtime can miss a reset that
     * comes while the connection is being opened (Payara does; its pings then seem to go out), and
     * a ping not answered within the write timeout finds the connection dead (4000).
     */
    private static final long FIRST_PING = TimeUnit.SECONDS.toNanos(1);

    @Inject
    TopicRegistry registry;
    @Inject
    SignalingConfig config;
    @Resource
    ManagedScheduledExecutorService scheduler;

    private ScheduledFuture<?> task;
    private volatile long lastSweepAt = System.nanoTime();

    public void start() {
        long tick = tickMillis();
        lastSweepAt = System.nanoTime();
        task = scheduler.scheduleWithFixedDelay(this::sweepSafely, tick, tick, TimeUnit.MILLISECONDS);
    }

    /** True while the sweeps keep coming: the liveness check. */
    public boolean isSweeping() {
        long late = Math.max(TimeUnit.SECONDS.toNanos(10), TimeUnit.MILLISECONDS.toNanos(tickMillis() * 10));
        return task != null && !task.isDone() && System.nanoTime() - lastSweepAt < late;
    }

    @PreDestroy
    void stop() {
        if (task != null) {
            task.cancel(false);
        }
    }

    /** One pass over every peer. */
    void sweep(long now) {
        long ping = config.pingInterval().toNanos();
        long writeTimeout = config.writeTimeout().toNanos();
        long tick = TimeUnit.MILLISECONDS.toNanos(tickMillis());
        registry.sessions().forgetStale(now);
        long wallClock = System.currentTimeMillis();
        registry.topics().forEachPeer(peer -> {
            if (peer.state() == SessionState.State.CLOSED) {
                registry.leave(peer);
            } else if (peer.isAway()) {
                registry.sessions().expireIfDue(peer, now);
            } else if (peer.state() != SessionState.State.LIVE) {
                return; // moving to another node
            } else if (peer.credentials().expiredAt(wallClock)) {
                LogThrottle.SHARED.info(LOG, "token-expired",
                        () -> "closing peer: its token expired: " + peer.logContext());
                registry.sessions().disconnect(peer, Sessions.TOKEN_EXPIRED, "token expired");
            } else if (peer.outbox().failedFor(now) > BROKEN_GRACE) { // a failed send and no close followed
                registry.sessions().connectionFailed(peer, WRITE_TIMEOUT, "send failed");
            } else if (peer.outbox().stalledFor(now) > writeTimeout) {
                LogThrottle.SHARED.info(LOG, "write-timeout",
                        () -> "closing peer: nothing it was sent confirmed for longer than the write timeout ("
                        + peer.outbox().unconfirmedBytes() + " bytes): " + peer.logContext());
                registry.sessions().connectionFailed(peer, WRITE_TIMEOUT, "write timeout");
            } else if (peer.outbox().pingUnansweredFor(now) > writeTimeout && now - peer.liveness().lastSeenAt() > writeTimeout) {
                // no pong and nothing else either: a client busy sending has its pong queued behind its messages
                LogThrottle.SHARED.info(LOG, "no-pong",
                        () -> "closing peer: no pong within the write timeout: " + peer.logContext());
                registry.sessions().connectionFailed(peer, PING_TIMEOUT, "ping timeout");
            } else if (now - peer.liveness().lastSeenAt() > 2 * ping) {
                LogThrottle.SHARED.info(LOG, "silent",
                        () -> "closing peer: nothing received for two ping intervals: " + peer.logContext());
                registry.sessions().connectionFailed(peer, PING_TIMEOUT, "ping timeout");
            } else {
                if (now - peer.liveness().lastPingAt() >= (peer.liveness().pinged() ? ping : Math.min(ping, FIRST_PING))) {
                    peer.ping(now);
                }
                peer.outbox().forgetSentBefore(now - 2 * ping - tick);
            }
        });
    }

    private void sweepSafely() {
        try {
            lastSweepAt = System.nanoTime();
            sweep(lastSweepAt);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "peer sweep failed", e);
        }
    }

    /** Fine enough to honour the shortest of the timeouts within a fraction of it, at most once a second. */
    private long tickMillis() {
        long shortest = Math.min(config.pingInterval().toMillis(), config.writeTimeout().toMillis());
        return Math.max(20, Math.min(1000, shortest / 5));
    }
}
