package it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;
import java.util.Map;

/** {@link DeliveryContract} on Payara Micro 6, every setting at its default. */
class PayaraDeliveryIT extends DeliveryContract {

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

    @Override
    String ws() {
        return payara.httpBase().replaceFirst("^http", "ws");
    }

    @Override
    Duration resetFoundWithin() {
        return Duration.ofSeconds(10); // first ping at 1 s, write timeout 5 s, watchdog ticks of 1 s
    }

    @Override
    long serverPid() {
        return payara.pid();
    }
}
