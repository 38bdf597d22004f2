package it;

import org.junit.jupiter.api.BeforeAll;

/** {@link JavaScriptClientContract} on a Liberty server process of its own. */
class JavaScriptClientIT extends JavaScriptClientContract {

    @BeforeAll
    static void start() throws Exception {
        server = LibertyServer.start("jsServer", ENV);
    }

    @Override
    ServerProcess start(String name, java.util.Map<String, String> env) throws Exception {
        return LibertyServer.start(name, env);
    }
}
