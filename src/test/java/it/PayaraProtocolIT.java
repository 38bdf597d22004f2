package it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import java.util.Map;

/** {@link ProtocolContract} on Payara Micro 6, with the WAR that Liberty runs, unchanged. */
class PayaraProtocolIT extends ProtocolContract {

    private static PayaraServer payara;

    @BeforeAll
    static void start() throws Exception {
        payara = PayaraServer.start(Map.of());
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
