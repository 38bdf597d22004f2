package org.lanscape.signaling.config;

/** A configuration value the server cannot run with; the message names the property and the value. */
public class InvalidConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidConfigException(String property, String value, String problem) {
        super("Invalid configuration: " + property + (value == null ? "" : "=" + value) + " " + problem);
    }
}
