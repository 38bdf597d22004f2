package it;

import java.util.Map;

/** {@link ShutdownContract} on Payara Micro 6: SIGTERM to its JVM, configured by the same environment. */
class PayaraShutdownIT extends ShutdownContract {

    @Override
    ServerProcess start(Map<String, String> env) throws Exception {
        return PayaraServer.start(Map.of(), env);
    }
}
