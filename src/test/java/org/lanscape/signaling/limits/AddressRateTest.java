package org.lanscape.signaling.limits;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AddressRateTest {

    @Test
    void anAddressGetsItsBurstThenWaitsWhileOthersGoOn() {
        // one a second: a refill would need the three takes to last a second
        AddressRate rate = new AddressRate(LimitsTesting.config("signaling.handshake.address-rate", "1",
                "signaling.handshake.address-burst", "3"));
        for (int i = 0; i < 3; i++) {
            assertTrue(rate.tryTake("198.51.100.1"));
        }
        assertFalse(rate.tryTake("198.51.100.1"));
        assertTrue(rate.tryTake("198.51.100.2"), "another address has its own");
    }

    @Test
    void offByDefault() {
        AddressRate rate = new AddressRate(LimitsTesting.config());
        for (int i = 0; i < 1_000; i++) {
            assertTrue(rate.tryTake("198.51.100.1"));
        }
    }
}
