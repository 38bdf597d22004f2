package org.lanscape.signaling.limits;

import org.lanscape.signaling.config.InvalidConfigException;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The address a handshake came from: the peer of the TCP connection, or, when that is one of the
 * trusted proxies, the last address in {@code X-Forwarded-For} that is not one of them (each
 * proxy appends the address it was reached from, so the entries before the first untrusted one
 * from the right are whatever the client chose to write).
 */
public final class ClientAddress {

    private static final Pattern V4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern V6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private final List<Block> trusted;

    public ClientAddress(List<String> trustedProxies) {
        this.trusted = parseAll(trustedProxies);
    }

    public String of(String remoteAddr, String forwardedFor) {
        if (trusted.isEmpty() || forwardedFor == null || !isTrusted(remoteAddr)) {
            return remoteAddr;
        }
        String[] hops = forwardedFor.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (!hop.isEmpty() && !isTrusted(hop)) {
                return hop;
            }
        }
        return remoteAddr;
    }

    private boolean isTrusted(String address) {
        byte[] bytes = literal(address);
        if (bytes == null) {
            return false;
        }
        for (Block block : trusted) {
            if (block.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    static List<Block> parseAll(List<String> entries) {
        List<Block> blocks = new ArrayList<>();
        for (String entry : entries) {
            String[] parts = entry.split("/", 2);
            byte[] base = literal(parts[0]);
            int bits;
            try {
                bits = parts.length == 2 ? Integer.parseInt(parts[1]) : base == null ? -1 : base.length * 8;
            } catch (NumberFormatException e) {
                bits = -1;
            }
            if (base == null || bits < 0 || bits > base.length * 8) {
                throw new InvalidConfigException("signaling.handshake.trusted-proxies", entry,
                        "takes IP addresses and CIDR blocks (10.0.0.0/8, fd00::/8), comma-separated");
            }
            blocks.add(new Block(base, bits));
        }
        return blocks;
    }

    /** The bytes of an IP literal; null for anything else (never a name lookup). */
    private static byte[] literal(String text) {
        if (text == null || !(V4.matcher(text).matches() || text.indexOf(':') >= 0 && V6.matcher(text).matches())) {
            return null;
        }
        try {
            return InetAddress.getByName(text).getAddress(); // a literal: parsed, not resolved
        } catch (UnknownHostException e) {
            return null;
        }
    }

    record Block(byte[] base, int bits) {
        boolean contains(byte[] address) {
            if (address.length != base.length) {
                return false;
            }
            int shift = base.length * 8 - bits;
            return new BigInteger(1, address).shiftRight(shift).equals(new BigInteger(1, base).shiftRight(shift));
        }
    }
}
