package it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.Map;

/** {@link DeliveryContract} on Open Liberty, a server of its own with every setting at its default. */
class DeliveryIT extends DeliveryContract {

    private static LibertyServer server;

    @BeforeAll
    static void start() throws Exception {
        server = LibertyServer.start("deliveryServer", Map.of());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    String ws() {
        return server.wsBase();
    }

    @Override
    long serverPid() {
        return server.jvm().pid();
    }
}
