package org.lanscape.signaling.limits;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;
import org.lanscape.signaling.config.ConfigReader;

import java.util.List;

/** {@code signaling.user.*} and {@code signaling.handshake.*}: what one user and one address may take. */
@ApplicationScoped
public class LimitsConfig {

    private int userMaxConnections;
    private int addressRate;
    private int addressBurst;
    private List<String> trustedProxies;

    LimitsConfig() {
        // for CDI's proxy
    }

    @Inject
    public LimitsConfig(Config config) {
        ConfigReader read = new ConfigReader(config);
        userMaxConnections = read.integer("signaling.user.max-connections", 0, Integer.MAX_VALUE);
        addressRate = read.integer("signaling.handshake.address-rate", 0, 1_000_000);
        addressBurst = read.integer("signaling.handshake.address-burst", 1, 1_000_000);
        trustedProxies = read.list("signaling.handshake.trusted-proxies");
        ClientAddress.parseAll(trustedProxies); // a bad entry stops the start, with its name
    }

    /** Connections per token subject on all nodes together; 0: no limit. */
    public int userMaxConnections() {
        return userMaxConnections;
    }

    /** Handshakes a second per client address, on each node; 0: no limit. */
    public int addressRate() {
        return addressRate;
    }

    /** Handshakes an address may make at once before the rate applies. */
    public int addressBurst() {
        return addressBurst;
    }

    /** Proxies whose X-Forwarded-For names the client (addresses or CIDR blocks); empty: none. */
    public List<String> trustedProxies() {
        return trustedProxies;
    }
}
