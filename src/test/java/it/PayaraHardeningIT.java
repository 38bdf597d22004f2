package it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import java.util.Map;

/** {@link HardeningContract} on Payara Micro 6, with the test server's limits as system properties. */
class PayaraHardeningIT extends HardeningContract {

    private static PayaraServer payara;

    @BeforeAll
    static void start() throws Exception {
        payara = PayaraServer.start(Map.of(
                "signaling.origins", "https://allowed.example,https://*.trusted.example",
                "signaling.topic.max-peers", "5",
                "signaling.resume.grace", "3s",
                "signaling.ping.interval", "2s", "signaling.write.timeout", "3s"));
    }

    @AfterAll
    static void stop() {
        if (payara != null) {
            payara.close();
        }
    }

    /** Tyrus closes a frame over its buffer with 1011 (unexpected condition), after reading at most 4 MB of it. */
    @Override
    protected int oversizedFrameCloseCode() {
        return 1011;
    }

    /**
     * Payara answers a path with a broken escape ("/ws/%zz", "/ws/%") itself, with an empty 200 and
     * the connection closed (Grizzly's URI decoding; payara/Payara#8000 has the same root): no
     * upgrade, and nothing the application can change.
     */
    @Override
    protected java.util.Set<Integer> runtimeRefusals() {
        return java.util.Set.of(400, 302, 404, 200);
    }

    @BeforeEach
    void target() throws Exception {
        base = payara.url();
    }
}
