package it;

import java.util.Map;

/** {@link ShutdownContract} on a Liberty server process. */
class ShutdownIT extends ShutdownContract {

    @Override
    ServerProcess start(Map<String, String> env) throws Exception {
        return LibertyServer.start("shutdownServer", env);
    }
}
