package org.lanscape.signaling.cluster.redis;

import jakarta.json.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lanscape.signaling.cluster.BusListener;
import org.lanscape.signaling.cluster.ClusterObserver;
import org.lanscape.signaling.protocol.RawJson;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stripes hold at most their budget, and what they have no room for is answered, never dropped in silence. */
class InboundDispatchTest {

    private static final String FRAME = "{\"type\":\"offer\",\"payload\":\"" + "x".repeat(400) + "\"}";

    private final CountDownLatch workerFree = new CountDownLatch(1);
    private final CountDownLatch workerBusy = new CountDownLatch(1);
    private final List<String> told = new CopyOnWriteArrayList<>();
    private final List<String> shedRelays = new CopyOnWriteArrayList<>();
    private final List<String> shedTopics = new CopyOnWriteArrayList<>();
    private final Semaphore deliveries = new Semaphore(0);
    private final CountDownLatch answered = new CountDownLatch(1);
    private InboundDispatch dispatch;

    @AfterEach
    void stop() {
        workerFree.countDown();
        if (dispatch != null) {
            dispatch.stop();
        }
    }

    @Test
    void pastItsBudgetARelayIsAnsweredDroppedAndATopicEventResyncsTheTopic() throws Exception {
        dispatch = dispatch(8_000);
        // the worker of topic "room" is held by the first relay; the next ones wait for it
        dispatch.dispatch("node:me", relay("m0"));
        assertTrue(workerBusy.await(5, TimeUnit.SECONDS));
        int sent = 1;
        while (shedRelays.isEmpty() && sent < 100) {
            dispatch.dispatch("node:me", relay("m" + sent++));
        }
        assertEquals(List.of("other|alice|\"m" + (sent - 1) + "\""), shedRelays,
                "the relay past the budget is answered dropped to its sender");
        assertTrue(sent > 10 && sent < 25, "about 8 000 bytes of relays waited, not " + sent);
        assertTrue(dispatch.queued() <= 8_000, "queued " + dispatch.queued());

        dispatch.dispatch("sig:topic:room", BusMessage.join("other", "room", "bob", Json.createValue("y".repeat(1_000))));
        assertEquals(List.of("room"), shedTopics, "a shed join has the topic's view read again");
        dispatch.dispatch("node:me", BusMessage.undeliverable("other", "carol", "dropped", RawJson.of("\"u1\"")));

        workerFree.countDown();
        assertTrue(deliveries.tryAcquire(sent - 1, 5, TimeUnit.SECONDS), "every relay that was queued is delivered");
        assertTrue(answered.await(5, TimeUnit.SECONDS));
        assertEquals(List.of("carol"), told, "an answer is queued whatever the budget");
    }

    private static String relay(String msgId) {
        return BusMessage.relay("other", "room", "alice", "bob", FRAME, RawJson.of("\"" + msgId + "\""), false);
    }

    private InboundDispatch dispatch(long budget) {
        RelayForwarding relays = new RelayForwarding(null, "me", ClusterObserver.NONE, null, null);
        InboundDispatch inbound = new InboundDispatch("me", ClusterObserver.NONE, relays,
                new Claims(null, "me", Duration.ofSeconds(1), ClusterObserver.NONE, null, null), budget,
                new InboundOverflow() {
                    @Override
                    public void relayShed(String senderNode, String fromPeerId, RawJson msgId) {
                        shedRelays.add(senderNode + "|" + fromPeerId + "|" + msgId);
                    }

                    @Override
                    public void topicShed(String topic) {
                        shedTopics.add(topic);
                    }
                });
        BusListener listener = (BusListener) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {BusListener.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "deliver" -> {
                        workerBusy.countDown();
                        workerFree.await();
                        deliveries.release();
                        yield BusListener.RelayOutcome.DELIVERED;
                    }
                    case "undeliverable" -> {
                        told.add((String) args[0]);
                        answered.countDown();
                        yield null;
                    }
                    case "localMembers" -> Map.of();
                    default -> null;
                });
        relays.start(listener);
        inbound.start(listener);
        return inbound;
    }
}
