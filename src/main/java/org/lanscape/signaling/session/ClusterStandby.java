package org.lanscape.signaling.session;

import org.lanscape.signaling.cluster.ClusterBus;

import java.time.Duration;

/** Keeps each resumable session's current token in the cluster ({@link ClusterBus#standby}), for a resume after this node dies. */
public final class ClusterStandby implements ResumeTokenStore.Keeper {

    private final ClusterBus bus;
    private final Duration grace;

    public ClusterStandby(ClusterBus bus, Duration grace) {
        this.bus = bus;
        this.grace = grace;
    }

    @Override
    public void holds(Peer peer, String token) {
        Credentials credentials = peer.credentials();
        bus.standby(peer.topic(), peer.id(), token, peer.metadata(), credentials == null ? null : credentials.subject(), grace);
    }

    @Override
    public void released(Peer peer, String token) {
        bus.standbyEnded(peer.id(), token);
    }
}
