package org.lanscape.signaling.rest;

import com.github.f4b6a3.ulid.UlidCreator;

import java.util.regex.Pattern;

/** X-Request-ID: keep a client's id when it is sane, otherwise make a ULID. */
public final class RequestIds {

    public static final String HEADER = "X-Request-ID";
    public static final String ATTRIBUTE = "org.lanscape.signaling.requestId";
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:\\-]{1,128}");
    private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

    private RequestIds() {
    }

    public static String accept(String inbound) {
        return inbound != null && VALID.matcher(inbound).matches() ? inbound : UlidCreator.getUlid().toString();
    }

    /** The id of the HTTP request this thread is serving (set by {@link RequestIdFilter}), or null. */
    public static String current() {
        return CURRENT.get();
    }

    static void set(String id) {
        CURRENT.set(id);
    }

    static void clear() {
        CURRENT.remove();
    }
}
