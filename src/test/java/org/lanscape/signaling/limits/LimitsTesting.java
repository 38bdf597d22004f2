package org.lanscape.signaling.limits;

import org.eclipse.microprofile.config.Config;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** A {@link LimitsConfig} from the defaults with some values changed. */
final class LimitsTesting {

    private LimitsTesting() {
    }

    static LimitsConfig config(String... nameValues) {
        Map<String, String> values = new HashMap<>(Map.of("signaling.user.max-connections", "100",
                "signaling.handshake.address-rate", "0", "signaling.handshake.address-burst", "100"));
        for (int i = 0; i < nameValues.length; i += 2) {
            values.put(nameValues[i], nameValues[i + 1]);
        }
        Config config = (Config) Proxy.newProxyInstance(LimitsTesting.class.getClassLoader(), new Class<?>[] {Config.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getOptionalValue" -> Optional.ofNullable(values.get((String) args[0]));
                    case "getValue" -> values.get((String) args[0]);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return new LimitsConfig(config);
    }
}
