package it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import java.util.Map;

/** {@link ResumeContract} on Payara Micro 6. */
class PayaraResumeIT extends ResumeContract {

    private static PayaraServer payara;

    @BeforeAll
    static void start() throws Exception {
        payara = PayaraServer.start(Map.of("signaling.resume.grace", "3s", "signaling.ping.interval", "2s",
                "signaling.debug.enabled", "true",
                "signaling.write.timeout", "3s"));
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
