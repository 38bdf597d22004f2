package it;

import org.junit.jupiter.api.BeforeAll;

import java.util.Map;

/** {@link AuthContract} on Payara Micro 6, configured by the same environment variables. */
class PayaraAuthIT extends AuthContract {

    @BeforeAll
    static void start() throws Exception {
        server = PayaraServer.start(Map.of(), ENV);
    }
}
