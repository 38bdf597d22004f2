package org.lanscape.signaling.session;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The keeper hears of every token a session holds and of its end: what the cluster keeps for a resume after a crash. */
class ResumeTokenStoreTest {

    private final List<String> heard = new ArrayList<>();
    private final ResumeTokenStore tokens = new ResumeTokenStore("node", new ResumeTokenStore.Keeper() {
        @Override
        public void holds(Peer peer, String token) {
            heard.add("holds " + token);
        }

        @Override
        public void released(Peer peer, String token) {
            heard.add("released " + token);
        }
    });

    @Test
    void aTokenIsKeptFromItsIssueUntilItIsUsedOrItsSessionEnds() {
        Peer peer = PeerTest.resumablePeer(null, 1 << 20, 0);
        tokens.register("t1", peer);
        assertNull(tokens.take("t1", "other-topic", p -> true), "a token of another topic is not used");
        assertSame(peer, tokens.take("t1", "t", p -> true));
        assertNull(tokens.take("t1", "t", p -> true), "used once");
        tokens.register("t2", peer);
        tokens.forget(peer);
        tokens.forget(peer);
        assertEquals(List.of("holds t1", "released t1", "holds t2", "released t2"), heard);
    }
}
