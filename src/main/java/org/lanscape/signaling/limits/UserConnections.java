package org.lanscape.signaling.limits;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.lanscape.signaling.cluster.Claim;
import org.lanscape.signaling.cluster.ClusterBus;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code signaling.user.max-connections}: the connections of one token subject, counted on this
 * node and, through the cluster bus, on all nodes together (in one step in Redis). While Redis
 * cannot answer, this node's own count decides (fail open: the limit then holds per node).
 */
@ApplicationScoped
public class UserConnections {

    private final Map<String, Integer> local = new ConcurrentHashMap<>();
    private LimitsConfig config;
    private ClusterBus bus;

    UserConnections() {
        // for CDI's proxy
    }

    @Inject
    public UserConnections(LimitsConfig config, ClusterBus bus) {
        this.config = config;
        this.bus = bus;
    }

    /** For the handshake: true when the subject has every connection it may have already. */
    public boolean full(String subject) {
        int max = config.userMaxConnections();
        if (subject == null || max == 0) {
            return false;
        }
        return Math.max(local.getOrDefault(subject, 0), bus.connections(subject)) >= max;
    }

    /** Counts a new connection of the subject; false (nothing counted) when it may have no more. */
    public boolean open(String subject, String connectionId) {
        int max = config.userMaxConnections();
        if (subject == null || max == 0) {
            return true;
        }
        boolean[] room = new boolean[1];
        local.compute(subject, (s, n) -> {
            int count = n == null ? 0 : n;
            room[0] = count < max;
            return room[0] ? count + 1 : n;
        });
        if (!room[0]) {
            return false;
        }
        Claim claim;
        try {
            claim = bus.claimConnection(subject, connectionId, max);
        } catch (RuntimeException e) {
            decrement(subject);
            throw e;
        }
        if (claim == Claim.REFUSED) {
            decrement(subject);
            return false;
        }
        return true;
    }

    /** The end of a connection that {@link #open} counted. */
    public void close(String subject, String connectionId) {
        if (subject == null || config.userMaxConnections() == 0) {
            return;
        }
        decrement(subject);
        bus.releaseConnection(subject, connectionId);
    }

    private void decrement(String subject) {
        local.computeIfPresent(subject, (s, n) -> n <= 1 ? null : n - 1);
    }
}
