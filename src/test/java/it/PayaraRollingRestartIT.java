package it;

import org.junit.jupiter.api.BeforeAll;

import java.util.Map;

/** {@link RollingRestartContract} across runtimes: node A on Liberty stays, node B on Payara Micro 6 is restarted. */
class PayaraRollingRestartIT extends RollingRestartContract {

    @BeforeAll
    static void startCluster() throws Exception {
        redis = RedisServer.start();
        a = LibertyServer.start("payaraRollA", env());
    }

    @Override
    ServerProcess startNodeB(Map<String, String> env) throws Exception {
        return PayaraServer.start(Map.of(), env);
    }
}
