package org.lanscape.signaling.turn;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;
import org.lanscape.signaling.config.ConfigReader;
import org.lanscape.signaling.config.InvalidConfigException;

import java.time.Duration;
import java.util.List;

/**
 * {@code signaling.turn.*}: the shared secret of the TURN server (coturn's {@code static-auth-secret}
 * with {@code use-auth-secret}), its URIs and the credentials' lifetime. Off until a secret is
 * set; the secret is never logged.
 */
@ApplicationScoped
public class TurnConfig {

    @Inject
    Config config;

    private String secret;
    private List<String> uris;
    private Duration ttl;

    @PostConstruct
    void init() {
        ConfigReader read = new ConfigReader(config);
        secret = read.optional("signaling.turn.secret").orElse(null);
        uris = read.list("signaling.turn.uris");
        ttl = read.duration("signaling.turn.ttl", true);
        if (secret != null && uris.isEmpty()) {
            throw new InvalidConfigException("signaling.turn.uris", "", "must list the TURN server's URIs when signaling.turn.secret is set");
        }
        for (String uri : uris) {
            if (!uri.startsWith("turn:") && !uri.startsWith("turns:") && !uri.startsWith("stun:")) {
                throw new InvalidConfigException("signaling.turn.uris", uri, "is not a turn:, turns: or stun: URI");
            }
        }
    }

    public boolean enabled() {
        return secret != null;
    }

    String secret() {
        return secret;
    }

    public List<String> uris() {
        return uris;
    }

    public Duration ttl() {
        return ttl;
    }
}
