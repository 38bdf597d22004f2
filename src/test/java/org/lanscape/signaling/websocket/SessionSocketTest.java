package org.lanscape.signaling.websocket;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SessionSocketTest {

    /**
     * The closer's queue is bounded by the open connections: however many parts of the server
     * close a peer at once (its watchdog, its outbox, the shutdown), one close waits in it.
     */
    @Test
    void aConnectionQueuesOneCloseHoweverOftenItIsClosed() {
        List<CloseReason> closed = new ArrayList<>();
        Session session = (Session) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Session.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "isOpen" -> closed.isEmpty();
                    case "close" -> closed.add((CloseReason) args[0]);
                    case "getId" -> "s1";
                    default -> null;
                });
        List<Runnable> queued = new ArrayList<>();
        SessionSocket socket = new SessionSocket(session, queued::add);

        socket.close(4002, "slow consumer");
        socket.close(4001, "ping timeout");
        socket.close(1001, "server shutting down");

        assertEquals(1, queued.size());
        queued.get(0).run();
        assertEquals(4002, closed.get(0).getCloseCode().getCode());
        assertEquals(1, closed.size());
    }
}
