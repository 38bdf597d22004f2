package org.lanscape.signaling.websocket;

import java.util.List;
import java.util.Locale;

/**
 * The allow-list of browser origins. {@code *} allows every origin. An entry is an exact origin
 * ({@code https://app.example.com}) or a wildcard for subdomains ({@code https://*.example.com}).
 * A request with no Origin header is not from a browser and is let through: the allow-list
 * protects browsers' users from other sites, not the server from non-browser clients.
 */
public final class OriginPolicy {

    private final List<String> allowed;
    private final boolean allowAll;

    public OriginPolicy(List<String> allowed) {
        this.allowed = allowed.stream().map(o -> o.toLowerCase(Locale.ROOT)).toList();
        this.allowAll = allowed.isEmpty() || allowed.contains("*");
    }

    public boolean allowsAll() {
        return allowAll;
    }

    public boolean allows(String origin) {
        if (allowAll || origin == null) {
            return true;
        }
        String o = origin.toLowerCase(Locale.ROOT);
        for (String entry : allowed) {
            if (entry.equals(o)) {
                return true;
            }
            int star = entry.indexOf("://*.");
            if (star > 0) {
                String scheme = entry.substring(0, star + 3);
                String suffix = entry.substring(star + 4); // ".example.com"
                if (o.startsWith(scheme) && o.endsWith(suffix) && o.length() > scheme.length() + suffix.length()
                        && !o.substring(scheme.length(), o.length() - suffix.length()).contains("/")) {
                    return true;
                }
            }
        }
        return false;
    }
}
