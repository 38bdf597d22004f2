package org.lanscape.signaling.cluster.redis;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OwnUnsubscribesTest {

    @Test
    void eachOfOurUnsubscribesAnswersOneConfirmationAndNoMore() {
        OwnUnsubscribes own = new OwnUnsubscribes();
        own.sent("sig:topic:a");
        own.sent("sig:topic:a");
        assertTrue(own.confirmed("sig:topic:a"));
        assertTrue(own.confirmed("sig:topic:a"));
        assertFalse(own.confirmed("sig:topic:a"), "a third: Redis ended it (its slot moved)");
        assertFalse(own.confirmed("sig:topic:b"));
    }

    /**
     * A confirmation lost with its connection is not waited for: the slot move that ends the
     * channel's next subscription is taken for what it is (it used to be taken for the lost
     * confirmation of ours, and no subscription followed the slot to its new owner).
     */
    @Test
    void aConfirmationLostWithItsConnectionDoesNotHideALaterSlotMove() {
        OwnUnsubscribes own = new OwnUnsubscribes();
        own.sent("sig:topic:a");
        own.connectionLost();
        assertFalse(own.confirmed("sig:topic:a"));
    }
}
