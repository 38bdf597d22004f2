package org.lanscape.signaling.protocol;

/**
 * What the decoder makes of one client text frame: a {@link ClientMessage}, or a
 * {@link MalformedMessage} for anything else. Bad input is a value, not a DecodeException: Liberty
 * writes an FFDC incident for every DecodeException, which a client sending garbage could turn
 * into work for the server.
 */
public sealed interface ClientFrame permits ClientMessage, MalformedMessage {
}
