package org.lanscape.signaling.protocol;

import jakarta.json.JsonValue;
import jakarta.json.bind.annotation.JsonbPropertyOrder;

/** One entry of {@code peer-list}: {@code {"id":"01J5...","metadata":{...}}}, no metadata when there is none. */
@JsonbPropertyOrder({"id", "metadata"})
public record PeerRecord(String id, JsonValue metadata) {
}
