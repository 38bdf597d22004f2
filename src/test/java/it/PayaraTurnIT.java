package it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** {@link TurnContract} on Payara Micro 6, its settings as system properties. */
class PayaraTurnIT extends TurnContract {

    private static PayaraServer payara;

    @BeforeAll
    static void start() throws Exception {
        payara = PayaraServer.start(SETTINGS);
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
