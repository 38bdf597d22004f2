package org.lanscape.signaling.auth;

/** A handshake refused by authentication (401) or authorisation (403). */
public class AuthException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    public AuthException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
