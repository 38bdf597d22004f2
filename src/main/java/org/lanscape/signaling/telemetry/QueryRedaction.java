package org.lanscape.signaling.telemetry;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

import java.util.regex.Pattern;

/**
 * Keeps the secrets a client may put in a URL ({@code access_token}, a {@code resume} token) out of
 * the runtime's own HTTP span: Liberty records each request's query as {@code url.query} when
 * tracing is on, read from the request its telemetry filter is handed, after the application's
 * filters. The request passed on shows the query with those values replaced; its parameters are
 * unchanged, so whatever reads them further on still can.
 */
public final class QueryRedaction {

    static final String REDACTED = "REDACTED";
    private static final Pattern SECRET = Pattern.compile("(?<=(?:^|&)(?:access_token|resume)=)[^&]*");

    private QueryRedaction() {
    }

    /** The request to pass on: this one, or, if its query carries a secret, one whose query string does not. */
    public static HttpServletRequest redacted(HttpServletRequest request) {
        String query = request.getQueryString();
        if (query == null || !(query.contains("access_token=") || query.contains("resume="))) {
            return request;
        }
        String redacted = redact(query);
        return new HttpServletRequestWrapper(request) {
            @Override
            public String getQueryString() {
                return redacted;
            }
        };
    }

    static String redact(String query) {
        return SECRET.matcher(query).replaceAll(REDACTED);
    }
}
