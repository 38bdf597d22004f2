package org.lanscape.signaling.cluster;

import jakarta.json.JsonValue;

/** A peer of a topic connected to another node. */
public record RemoteMember(String id, String node, JsonValue metadata) {
}
