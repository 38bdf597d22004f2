package org.lanscape.signaling.auth;

/** {@code signaling.auth.mode}. */
public enum AuthMode { NONE, JWT }
