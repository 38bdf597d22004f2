package it;

import java.util.Map;

/** {@link ConfigContract} on Liberty server processes. */
class ConfigIT extends ConfigContract {

    @Override
    ServerProcess launch(String name, Map<String, String> env) throws Exception {
        return LibertyServer.launch(name, env);
    }
}
