package it;

import java.util.Map;

/** {@link ConfigContract} on Payara Micro 6, configured by the same environment variables. */
class PayaraConfigIT extends ConfigContract {

    /** Payara keeps the context whose start failed, and answers every URL of it, health included, with 500. */
    @Override
    protected int failedReadyStatus() {
        return 500;
    }

    @Override
    protected int failedApplicationStatus() {
        return 500;
    }

    @Override
    ServerProcess launch(String name, Map<String, String> env) throws Exception {
        return PayaraServer.launch(Map.of(), env);
    }
}
