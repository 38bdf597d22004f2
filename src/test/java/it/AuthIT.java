package it;

import org.junit.jupiter.api.BeforeAll;

/** {@link AuthContract} on a Liberty server process of its own. */
class AuthIT extends AuthContract {

    @BeforeAll
    static void start() throws Exception {
        server = LibertyServer.start("authServer", ENV);
    }
}
