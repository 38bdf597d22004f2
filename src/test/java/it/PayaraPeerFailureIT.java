package it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import java.util.Map;

/** {@link PeerFailureContract} on Payara Micro 6, with the Liberty test server's liveness timers. */
class PayaraPeerFailureIT extends PeerFailureContract {

    private static PayaraServer payara;

    @BeforeAll
    static void start() throws Exception {
        payara = PayaraServer.start(Map.of("signaling.ping.interval", "2s", "signaling.write.timeout", "3s"));
    }

    @AfterAll
    static void stop() {
        if (payara != null) {
            payara.close();
        }
    }

    @BeforeEach
    void target() throws Exception {
        base = payara.url();
    }
}
