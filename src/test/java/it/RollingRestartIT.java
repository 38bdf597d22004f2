package it;

import org.junit.jupiter.api.BeforeAll;

import java.util.Map;

/** {@link RollingRestartContract} with two Liberty nodes. */
class RollingRestartIT extends RollingRestartContract {

    private static int started;

    @BeforeAll
    static void startCluster() throws Exception {
        redis = RedisServer.start();
        a = LibertyServer.start("rollA", env());
    }

    @Override
    ServerProcess startNodeB(Map<String, String> env) throws Exception {
        return LibertyServer.start("rollB" + (++started), env);
    }
}
