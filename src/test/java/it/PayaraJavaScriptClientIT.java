package it;

import org.junit.jupiter.api.BeforeAll;

import java.util.Map;

/** {@link JavaScriptClientContract} on Payara Micro 6: the client library's suite and the browser test. */
class PayaraJavaScriptClientIT extends JavaScriptClientContract {

    @BeforeAll
    static void start() throws Exception {
        server = PayaraServer.start(Map.of(), ENV);
    }

    @Override
    ServerProcess start(String name, Map<String, String> env) throws Exception {
        return PayaraServer.start(Map.of(), env);
    }
}
