package org.lanscape.signaling.limits;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Handshakes per client address, on this node: a token bucket per address ({@code
 * signaling.handshake.address-burst} at once, then {@code address-rate} a second), so that one
 * address cannot take the node's connection budget. Buckets that have filled up again are
 * forgotten once there are many, so the map holds only the addresses that were busy lately.
 */
@ApplicationScoped
public class AddressRate {

    private static final int TIDY_ABOVE = 10_000;

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private LimitsConfig config;
    private ClientAddress addresses;

    AddressRate() {
        // for CDI's proxy
    }

    @Inject
    public AddressRate(LimitsConfig config) {
        this.config = config;
        this.addresses = new ClientAddress(config.trustedProxies());
    }

    /** The client's address for this request (see {@link ClientAddress}). */
    public String clientOf(String remoteAddr, String forwardedFor) {
        return addresses.of(remoteAddr, forwardedFor);
    }

    /** Takes one handshake for the address; false when it has none left just now. */
    public boolean tryTake(String address) {
        if (config.addressRate() == 0 || address == null) {
            return true;
        }
        long now = System.nanoTime();
        if (buckets.size() > TIDY_ABOVE) {
            tidy(now);
        }
        return buckets.computeIfAbsent(address, a -> new Bucket(config.addressBurst(), now))
                .tryTake(now, config.addressRate(), config.addressBurst());
    }

    private void tidy(long now) {
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
            if (it.next().fullAt(now, config.addressRate(), config.addressBurst())) {
                it.remove();
            }
        }
    }

    private static final class Bucket {
        private double tokens;
        private long at;

        Bucket(int burst, long now) {
            this.tokens = burst;
            this.at = now;
        }

        synchronized boolean tryTake(long now, int rate, int burst) {
            refill(now, rate, burst);
            if (tokens < 1) {
                return false;
            }
            tokens--;
            return true;
        }

        synchronized boolean fullAt(long now, int rate, int burst) {
            refill(now, rate, burst);
            return tokens >= burst;
        }

        private void refill(long now, int rate, int burst) {
            tokens = Math.min(burst, tokens + (now - at) / 1e9 * rate);
            at = now;
        }
    }
}
