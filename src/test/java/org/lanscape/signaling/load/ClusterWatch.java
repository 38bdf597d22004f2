package org.lanscape.signaling.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load tool's {@code watch} workload: what the clients of a two-node cluster see while Redis
 * fails under it. Rooms of k peers, half on each node, stay open; once every view is whole, the
 * watch counts what no client should see (a peer-left or peer-joined: nobody leaves or joins those
 * rooms), sends relays across nodes at a steady rate (each must be delivered or answered with an
 * error, and the codes are counted), and has a pair of newcomers, one on each node, join a room of
 * their own every half second (the time until each sees the other is how long a view takes to be
 * whole). An orchestrating script names segments by writing a label to {@code <control>/mark} and
 * ends the watch with {@code <control>/stop}; each segment prints one JSON line of figures. Several
 * watch processes can share a cluster (each its own rooms: {@code --first}), as one process may
 * hold fewer connections than two nodes take.
 */
final class ClusterWatch {

    /** One peer of a watched room. */
    private record Member(int room, LoadClient client, Set<String> view) {
    }

    /** The figures of one segment; replaced whole when the mark changes. */
    private static final class Segment {
        final String label;
        final long startNanos = System.nanoTime();
        final AtomicInteger falseLeft = new AtomicInteger();
        final AtomicInteger falseJoined = new AtomicInteger();
        final List<String> samples = java.util.Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger sent = new AtomicInteger();
        final AtomicInteger delivered = new AtomicInteger();
        final Map<String, AtomicInteger> errors = new ConcurrentHashMap<>();
        final Percentiles relayMs = new Percentiles();
        final AtomicInteger pairs = new AtomicInteger();
        final Percentiles wholeMs = new Percentiles();

        Segment(String label) {
            this.label = label;
        }
    }

    private final Map<String, String> opts;
    private final HttpClient http;
    private final String urlA;
    private final String urlB;
    private final String name;
    private final Path control;
    private final List<Member> members = new ArrayList<>();
    private final List<List<Member>> rooms = new ArrayList<>();
    /** A relay sent and not yet answered. */
    private record Sent(long at, long seq, int room, boolean fromA) {
    }

    /** Relays sent and not yet answered, by msgId. */
    private final Map<String, Sent> pending = new ConcurrentHashMap<>();
    private final Map<Integer, Segment> bySeq = new ConcurrentHashMap<>();
    private final AtomicLong seq = new AtomicLong();
    private volatile boolean watching;
    private volatile Segment segment = new Segment("connect");

    ClusterWatch(Map<String, String> opts, HttpClient http, String urlA, String urlB) {
        this.opts = opts;
        this.http = http;
        this.urlA = urlA;
        this.urlB = urlB;
        this.name = opts.getOrDefault("name", "watch");
        this.control = Path.of(opts.getOrDefault("control", "target/watch"));
    }

    private int num(String key, int dflt) {
        return Integer.parseInt(opts.getOrDefault(key, String.valueOf(dflt)));
    }

    String run() throws Exception {
        int roomCount = num("rooms", 100);
        int k = num("k", 10);
        int first = num("first", 0);
        long start = System.nanoTime();
        connect(first, roomCount, k);
        System.out.printf(Locale.ROOT, "{\"watch\":\"%s\",\"phase\":\"connected\",\"peers\":%d,\"s\":%.1f}%n", name,
                members.size(), (System.nanoTime() - start) / 1e9);
        long whole = System.nanoTime();
        while (wrongViews() > 0) {
            if (System.nanoTime() - whole > TimeUnit.MINUTES.toNanos(10)) {
                throw new IllegalStateException(wrongViews() + " views still not whole after 10 minutes");
            }
            Thread.sleep(500); // polling the clients' views: nothing else says they are done
        }
        System.out.printf(Locale.ROOT, "{\"watch\":\"%s\",\"phase\":\"whole\",\"s\":%.1f}%n", name,
                (System.nanoTime() - whole) / 1e9);
        segment = new Segment("steady");
        watching = true;
        Files.createDirectories(control);
        Files.writeString(control.resolve(name + ".ready"), "ready");
        ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
        int rate = num("relay-rate", 200);
        timers.scheduleAtFixedRate(() -> relays(Math.max(1, rate / 100)), 10, 10, TimeUnit.MILLISECONDS);
        timers.scheduleAtFixedRate(this::pair, 500, num("pair-every-ms", 500), TimeUnit.MILLISECONDS);
        // a segment is reported once its last relays had time for their answers (unanswered then: lost)
        int answerWait = num("answer-wait", 10);
        ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor();
        String mark = "steady";
        while (!Files.exists(control.resolve("stop"))) {
            Path markFile = control.resolve("mark");
            String now = Files.exists(markFile) ? Files.readString(markFile).strip() : mark;
            if (!now.equals(mark)) {
                Segment closed = segment;
                segment = new Segment(now);
                mark = now;
                reporter.schedule(() -> report(closed), answerWait, TimeUnit.SECONDS);
                Files.writeString(control.resolve(name + ".mark"), now); // the orchestrator waits for it to act
            }
            Thread.sleep(100); // polling the orchestrator's control file
        }
        timers.shutdownNow();
        Segment last = segment;
        reporter.schedule(() -> report(last), answerWait, TimeUnit.SECONDS);
        reporter.shutdown();
        reporter.awaitTermination(answerWait + 60L, TimeUnit.SECONDS);
        members.forEach(m -> m.client().close());
        return String.format(Locale.ROOT, "{\"watch\":\"%s\",\"phase\":\"done\",\"peers\":%d}", name, members.size());
    }

    private void connect(int first, int roomCount, int k) throws Exception {
        Semaphore inFlight = new Semaphore(num("concurrency", 50));
        List<CompletableFuture<Member>> joining = new ArrayList<>();
        String[] hosts = opts.getOrDefault("hosts", "127.0.0.1").split(",");
        int i = 0;
        for (int r = first; r < first + roomCount; r++) {
            for (int j = 0; j < k; j++) {
                inFlight.acquire();
                String base = j < k / 2 ? urlA : urlB;
                int room = r;
                Set<String> view = ConcurrentHashMap.newKeySet();
                CompletableFuture<Member> m = LoadClient.connect(http, on(base, hosts[i++ % hosts.length], "blip-" + r),
                                (self, text) -> onMessage(view, text))
                        .thenApply(client -> new Member(room, client, view));
                m.whenComplete((ok, e) -> inFlight.release());
                joining.add(m);
            }
        }
        for (int r = 0; r < roomCount; r++) {
            List<Member> room = new ArrayList<>();
            for (int j = 0; j < k; j++) {
                Member member = joining.get(r * k + j).get(2, TimeUnit.MINUTES);
                room.add(member);
                members.add(member);
            }
            rooms.add(room);
        }
    }

    private static URI on(String base, String host, String topic) {
        URI u = URI.create(base);
        return URI.create(u.getScheme() + "://" + host + ":" + u.getPort() + "/ws/" + topic);
    }

    private void onMessage(Set<String> view, String text) {
        String type = LoadClient.field(text, "type");
        if (type == null) {
            return;
        }
        switch (type) {
            case "peer-list" -> view.addAll(ids(text));
            case "peer-joined" -> {
                String peer = LoadClient.field(text, "peerId");
                if (watching) {
                    falseEvent(segment.falseJoined, "joined " + peer);
                }
                view.add(peer);
            }
            case "peer-left" -> {
                String peer = LoadClient.field(text, "peerId");
                if (watching) {
                    falseEvent(segment.falseLeft, "left " + peer);
                }
                view.remove(peer);
            }
            case "ice-candidate" -> answered(LoadClient.field(text, "msgId"), null);
            case "error" -> answered(LoadClient.field(text, "msgId"), LoadClient.field(text, "code"));
            default -> { }
        }
    }

    private void falseEvent(AtomicInteger counter, String what) {
        if (counter.incrementAndGet() <= 5) {
            segment.samples.add(what);
        }
    }

    private static List<String> ids(String peerList) {
        List<String> ids = new ArrayList<>();
        int at = 0;
        while ((at = peerList.indexOf("\"id\":\"", at)) >= 0) {
            int from = at + 6;
            ids.add(peerList.substring(from, peerList.indexOf('"', from)));
            at = from;
        }
        return ids;
    }

    /** Members whose view is not their room's other members. */
    private int wrongViews() {
        int wrong = 0;
        for (List<Member> room : rooms) {
            Set<String> ids = new HashSet<>();
            room.forEach(m -> ids.add(m.client().id));
            for (Member m : room) {
                Set<String> expected = new HashSet<>(ids);
                expected.remove(m.client().id);
                if (!m.view().equals(expected)) {
                    wrong++;
                }
            }
        }
        return wrong;
    }

    /** Relays across nodes: a random room, from one half to the other, alternately. */
    private void relays(int count) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < count; i++) {
            List<Member> room = rooms.get(random.nextInt(rooms.size()));
            int half = room.size() / 2;
            boolean fromA = random.nextBoolean();
            Member from = room.get(fromA ? random.nextInt(half) : half + random.nextInt(room.size() - half));
            Member to = room.get(fromA ? half + random.nextInt(room.size() - half) : random.nextInt(half));
            long n = seq.incrementAndGet();
            String msgId = "w" + n;
            Segment current = segment;
            bySeq.put((int) n, current);
            pending.put(msgId, new Sent(System.nanoTime(), n, from.room(), fromA));
            current.sent.incrementAndGet();
            from.client().send("{\"type\":\"ice-candidate\",\"to\":\"" + to.client().id
                    + "\",\"payload\":{\"candidate\":\"watch\"},\"msgId\":\"" + msgId + "\"}");
        }
    }

    private void answered(String msgId, String errorCode) {
        Sent sent = msgId == null ? null : pending.remove(msgId);
        if (sent == null) {
            return;
        }
        Segment counted = bySeq.remove((int) sent.seq());
        if (counted == null) {
            return;
        }
        long nanos = System.nanoTime() - sent.at();
        if (errorCode == null) {
            counted.delivered.incrementAndGet();
            counted.relayMs.add(nanos);
        } else if (counted.errors.computeIfAbsent(errorCode, c -> new AtomicInteger()).incrementAndGet() <= 3) {
            counted.samples.add(String.format(Locale.ROOT, "%s: room %d %s after %.0f ms", errorCode, sent.room(),
                    sent.fromA() ? "A to B" : "B to A", nanos / 1e6));
        }
    }

    /** A newcomer on each node in a room of their own: the time until each has the other in its view. */
    private void pair() {
        Segment current = segment;
        current.pairs.incrementAndGet();
        String topic = "blip-pair-" + name + "-" + seq.incrementAndGet();
        long start = System.nanoTime();
        Set<String> viewA = ConcurrentHashMap.newKeySet();
        Set<String> viewB = ConcurrentHashMap.newKeySet();
        CompletableFuture<Boolean> whole = new CompletableFuture<>();
        LoadClient[] both = new LoadClient[2];
        Runnable check = () -> {
            if (both[0] != null && both[1] != null && viewA.contains(both[1].id) && viewB.contains(both[0].id)) {
                whole.complete(true);
            }
        };
        LoadClient.connect(http, on(urlA, "127.0.0.1", topic), (self, text) -> {
            pairView(viewA, text);
            check.run();
        }).thenCompose(a -> {
            both[0] = a;
            return LoadClient.connect(http, on(urlB, "127.0.0.1", topic), (self, text) -> {
                pairView(viewB, text);
                check.run();
            });
        }).thenAccept(b -> {
            both[1] = b;
            check.run();
        });
        whole.completeOnTimeout(false, 60, TimeUnit.SECONDS).thenAccept(done -> {
            if (done) {
                current.wholeMs.add(System.nanoTime() - start);
            }
            for (LoadClient c : both) {
                if (c != null) {
                    c.close();
                }
            }
        });
    }

    private static void pairView(Set<String> view, String text) {
        String type = LoadClient.field(text, "type");
        if ("peer-list".equals(type)) {
            view.addAll(ids(text));
        } else if ("peer-joined".equals(type)) {
            view.add(LoadClient.field(text, "peerId"));
        }
    }

    private void report(Segment s) {
        long unanswered = bySeq.values().stream().filter(x -> x == s).count();
        System.out.printf(Locale.ROOT, "{\"watch\":\"%s\",\"segment\":\"%s\",\"s\":%.1f,\"false_left\":%d,\"false_joined\":%d,"
                        + "\"samples\":%s,\"relays\":{\"sent\":%d,\"delivered\":%d,\"errors\":%s,\"unanswered\":%d,\"ms\":%s},"
                        + "\"pairs\":{\"started\":%d,\"whole\":%d,\"ms\":%s},\"wrong_views\":%d}%n",
                name, s.label, (System.nanoTime() - s.startNanos) / 1e9, s.falseLeft.get(), s.falseJoined.get(),
                quote(s.samples), s.sent.get(), s.delivered.get(), errors(s.errors), unanswered, s.relayMs.json(),
                s.pairs.get(), s.wholeMs.count(), s.wholeMs.json(), wrongViews());
        System.out.flush();
    }

    private static String errors(Map<String, AtomicInteger> errors) {
        StringBuilder json = new StringBuilder("{");
        errors.forEach((code, n) -> json.append(json.length() > 1 ? "," : "").append('"').append(code).append("\":").append(n));
        return json.append('}').toString();
    }

    private static String quote(List<String> items) {
        List<String> quoted = new ArrayList<>();
        synchronized (items) {
            items.forEach(i -> quoted.add("\"" + i + "\""));
        }
        return quoted.toString();
    }
}
