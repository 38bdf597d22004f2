package crossnodefloor;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cross-node floor: the least a relay between two Liberty nodes through Redis Pub/Sub can cost.
 * Enough of the protocol for the load tool's throughput workload (welcome with an id; a relay by
 * "to" delivered with "from"), nothing else: no presence (an id names its node), no queue, no
 * validation, no metrics; a frame crosses Redis already rewritten, as the text its target gets.
 * Node name and Redis URL from the environment (FLOOR_NODE, FLOOR_REDIS). Not a server to run.
 */
@ServerEndpoint("/ws/{topic}")
public class CrossNodeFloor {

    private static final String NODE = System.getenv().getOrDefault("FLOOR_NODE", "a");
    private static final Map<String, Session> LOCAL = new ConcurrentHashMap<>();
    private static final AtomicLong IDS = new AtomicLong();
    /** Connected on the first connection, not when the container loads the class. */
    private static final class Redis {
        static final RedisAsyncCommands<String, String> OUT;

        static {
            RedisClient client = RedisClient.create(System.getenv().getOrDefault("FLOOR_REDIS", "redis://127.0.0.1:6379"));
            OUT = client.connect().async();
            StatefulRedisPubSubConnection<String, String> inbox = client.connectPubSub();
            inbox.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    int split = message.indexOf('\n');
                    send(LOCAL.get(message.substring(0, split)), message.substring(split + 1));
                }
            });
            inbox.sync().subscribe("floor:" + NODE);
        }
    }

    private String id;

    @OnOpen
    public void open(Session session) throws IOException {
        Redis.OUT.getClass(); // connected before the first relay
        id = NODE + "." + IDS.incrementAndGet();
        LOCAL.put(id, session);
        session.getBasicRemote().sendText("{\"type\":\"welcome\",\"selfId\":\"" + id + "\"}");
    }

    @OnMessage
    public void message(String text) {
        int at = text.indexOf("\"to\":\"");
        if (at < 0) {
            return;
        }
        int end = text.indexOf('"', at + 6);
        String to = text.substring(at + 6, end);
        String frame = text.substring(0, at) + "\"from\":\"" + id + "\"" + text.substring(end + 1);
        String node = to.substring(0, to.indexOf('.'));
        if (node.equals(NODE)) {
            send(LOCAL.get(to), frame);
        } else {
            Redis.OUT.publish("floor:" + node, to + "\n" + frame);
        }
    }

    @OnClose
    public void close() {
        LOCAL.remove(id);
    }

    private static void send(Session target, String frame) {
        if (target == null) {
            return;
        }
        synchronized (target) {
            try {
                target.getBasicRemote().sendText(frame);
            } catch (IOException e) {
                // gone: the floor counts nothing
            }
        }
    }
}
