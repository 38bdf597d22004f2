package it;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Two nodes sharing topics through one real Redis: peers on different nodes get what they would get on one. */
abstract class ClusterContract {

    abstract ServerProcess nodeA();

    abstract ServerProcess nodeB();

    static String topic() {
        return "c-" + UUID.randomUUID();
    }

    static Set<String> ids(JsonObject peerList) {
        return peerList.containsKey("peers") ? peerList.getJsonArray("peers").stream()
                .map(p -> p.asJsonObject().getString("id")).collect(Collectors.toSet()) : Set.of();
    }

    @Test
    void peersOnTwoNodesSeeEachOtherJoinAndLeave() throws Exception {
        String topic = topic();
        try (WsClient onA = WsClient.connect(nodeA().wsBase(), topic + "?metadata=%7B%22n%22%3A%22a%22%7D")) {
            onA.next("peer-list");
            String bId;
            try (WsClient onB = WsClient.connect(nodeB().wsBase(), topic)) {
                bId = onB.selfId;
                JsonObject list = onB.next("peer-list");
                assertEquals(Set.of(onA.selfId), ids(list), "B's peer-list holds the peer on A");
                assertEquals("a", list.getJsonArray("peers").getJsonObject(0).getJsonObject("metadata").getString("n"));
                assertEquals(bId, onA.next("peer-joined").getString("peerId"));
                String secondId;
                try (WsClient secondOnA = WsClient.connect(nodeA().wsBase(), topic)) {
                    secondId = secondOnA.selfId;
                    assertEquals(Set.of(onA.selfId, bId), ids(secondOnA.next("peer-list")));
                    assertEquals(secondId, onB.next("peer-joined").getString("peerId"));
                }
                assertEquals(secondId, onB.next("peer-left").getString("peerId"), "a leave on A reaches B");
                assertEquals(secondId, onA.next("peer-joined").getString("peerId"));
                assertEquals(secondId, onA.next("peer-left").getString("peerId"));
            }
            assertEquals(bId, onA.next("peer-left").getString("peerId"), "a leave on B reaches A");
        }
    }

    @Test
    void relaysCrossNodesWithFromAndMsgIdAndErrorsComeBack() throws Exception {
        String topic = topic();
        try (WsClient onA = WsClient.connect(nodeA().wsBase(), topic); WsClient onB = WsClient.connect(nodeB().wsBase(), topic)) {
            onA.next("peer-list");
            onA.next("peer-joined");
            onB.next("peer-list");
            for (String type : List.of("offer", "answer", "ice-candidate")) {
                onA.send(type, onB.selfId, "{\"sdp\":\"v=0\"}", "x-" + type);
                JsonObject relayed = onB.next(type);
                assertEquals(onA.selfId, relayed.getString("from"));
                assertEquals("x-" + type, relayed.getString("msgId"));
                assertEquals("v=0", relayed.getJsonObject("payload").getString("sdp"));
            }
            onB.send("answer", onA.selfId, "42", "back");
            assertEquals(42, onA.next("answer").getInt("payload"));
            onA.send("offer", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "{}", "nobody");
            assertEquals("target_not_found", onA.next("error").getString("code"));
            onA.send("bogus", onB.selfId, "{}", "t");
            assertEquals("invalid_type", onA.next("error").getString("code"));
            onA.send("{\"type\":\"offer\",\"msgId\":\"m\"}");
            assertEquals("missing_target", onA.next("error").getString("code"));
        }
    }

    @Test
    void oneSendersCandidatesArriveInOrderAcrossNodes() throws Exception {
        String topic = topic();
        try (WsClient onA = WsClient.connect(nodeA().wsBase(), topic); WsClient onB = WsClient.connect(nodeB().wsBase(), topic)) {
            onA.next("peer-list");
            onA.next("peer-joined");
            onB.next("peer-list");
            for (int i = 0; i < 300; i++) {
                onA.send("ice-candidate", onB.selfId, "{\"i\":" + i + "}", "c" + i);
            }
            for (int i = 0; i < 300; i++) {
                assertEquals("c" + i, onB.next("ice-candidate").getString("msgId"));
            }
        }
    }
}
