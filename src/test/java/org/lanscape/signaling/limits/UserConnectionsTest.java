package org.lanscape.signaling.limits;

import org.junit.jupiter.api.Test;
import org.lanscape.signaling.cluster.Claim;
import org.lanscape.signaling.cluster.ClusterBus;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UserConnectionsTest {

    private Claim answer = Claim.UNCHECKED;
    private int clusterCount = -1;
    private final List<String> released = new ArrayList<>();

    private final ClusterBus bus = (ClusterBus) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {ClusterBus.class}, (proxy, method, args) -> switch (method.getName()) {
                case "claimConnection" -> answer;
                case "connections" -> clusterCount;
                case "releaseConnection" -> released.add((String) args[1]);
                default -> throw new UnsupportedOperationException(method.getName());
            });
    private final UserConnections users = new UserConnections(
            LimitsTesting.config("signaling.user.max-connections", "2"), bus);

    @Test
    void withoutTheClusterTheNodesOwnCountHolds() {
        assertTrue(users.open("alice", "c1"));
        assertTrue(users.open("alice", "c2"));
        assertTrue(users.full("alice"));
        assertFalse(users.open("alice", "c3"));
        assertTrue(users.open("bob", "c4"), "each subject has its own count");
        users.close("alice", "c1");
        assertEquals(List.of("c1"), released);
        assertTrue(users.open("alice", "c5"), "a closed connection gives its place back");
    }

    @Test
    void theClustersRefusalCountsNothingHere() {
        answer = Claim.REFUSED;
        assertFalse(users.open("alice", "c1"));
        answer = Claim.UNCHECKED;
        assertTrue(users.open("alice", "c2"));
        assertTrue(users.open("alice", "c3"), "the refused one took no place");
    }

    @Test
    void theHandshakeCheckSeesTheOtherNodesConnections() {
        clusterCount = 2;
        assertTrue(users.full("alice"));
        clusterCount = 1;
        assertFalse(users.full("alice"));
        assertFalse(users.full(null), "no token, no subject, no limit");
    }
}
