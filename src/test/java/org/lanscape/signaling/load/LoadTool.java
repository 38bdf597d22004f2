package org.lanscape.signaling.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The project's load tool: runs one workload against any server speaking the protocol and prints
 * one JSON line of figures (connect rate, round-trip latency at a fixed rate, closed-loop
 * throughput, churn), with the server's RSS and CPU per message when its pid is given.
 * Loopback targets only; every run is bounded by its parameters and stops by itself.
 * <pre>
 * ./mvnw -q -Pload test-compile exec:exec -Dload.args="latency --url ws://127.0.0.1:8081 --pid 1234 --pairs 100 --rate 10000 --duration 10"
 * </pre>
 */
public final class LoadTool {

    private final Map<String, String> opts;
    private final HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(2)).build();
    private final ServerProcess server;
    private final String url;
    private final String url2;

    private LoadTool(Map<String, String> opts) {
        this.opts = opts;
        this.url = opts.getOrDefault("url", "ws://127.0.0.1:8081").replaceAll("/$", "");
        this.url2 = opts.getOrDefault("url2", url).replaceAll("/$", ""); // second node: cross-node figures
        this.server = new ServerProcess(Long.parseLong(opts.getOrDefault("pid", "0")));
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].startsWith("-")) {
            System.err.println("""
                    usage: LoadTool <connect|latency|throughput|churn> [--url ws://127.0.0.1:8081] [--url2 URL] [--pid PID]
                      connect    --n 5000 --k 10 --concurrency 50 [--hosts 127.0.0.1,127.0.0.2 --hold 10] [--ping 1]
                      latency    --pairs 100 --rate 10000 --duration 10 --warmup 2 --size 2048   (rate counts offers + answers)
                      throughput --pairs 50 --window 8 --duration 10 --warmup 2 --size 2048
                      churn      --n 1000 --k 10 --churn-rate 500 --duration 8   (newcomers join on --url2 when given)
                      resume     --n 200 --held 5       (connection dropped on --url, resumed on --url2)
                      mesh       --peers 50 --candidates 20 --rounds 5   (a newcomer's burst in a mesh room, and the answers)
                      silent     --n 300 --duration 15   (peers that handshake and then never read nor answer pings,
                                 while a pair measures its round trips: run the server with a short ping interval)
                      attack     --kind frame|fragments|headers --connections 4 --duration 10 [--pid PID]
                                 (frame: headers declaring 2^62 bytes, then data; fragments: endless 60 KB continuation
                                 frames; headers: unfinished requests of 450 headers of 30 KB) while a pair measures
                                 its round trips; the server's heap after a GC
                      watch      --rooms 1900 --first 0 --k 10 --hosts 127.0.0.1,127.0.0.2 --control DIR --name w1
                                 [--relay-rate 200 --pair-every-ms 500 --answer-wait 10]   (rooms half on --url, half on
                                 --url2, watched while Redis fails: see ClusterWatch and src/test/bench/redis-blip.sh)
                      flood      --pairs 20 --rate 1000 --flood-rate 5000 --duration 6 --size 200   (one peer floods another;
                                 the pairs of its topic measure their round trips before and during the flood)
                    --ping 1 (connect): once all are open each client sends a ping and has its pong before the RSS
                            figure: every connection has then had a frame read, as a live one has
                    --url2: the answering side (latency, throughput) connects there, a resume (resume) comes back
                            there: cross-node figures in a cluster
                    """);
            return;
        }
        Map<String, String> opts = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        String host = URI.create(opts.getOrDefault("url", "ws://127.0.0.1:8081")).getHost();
        if (!host.equals("localhost") && !host.startsWith("127.") && !host.equals("[::1]")) {
            throw new IllegalArgumentException("loopback targets only: " + host);
        }
        LoadTool tool = new LoadTool(opts);
        String result = switch (args[0]) {
            case "connect" -> tool.connect();
            case "latency" -> tool.latency();
            case "throughput" -> tool.throughput();
            case "churn" -> tool.churn();
            case "resume" -> tool.resume();
            case "mesh" -> tool.mesh();
            case "flood" -> tool.flood();
            case "silent" -> tool.silent();
            case "attack" -> tool.attack();
            case "watch" -> new ClusterWatch(opts, tool.http, tool.url, tool.url2).run();
            default -> throw new IllegalArgumentException("unknown workload " + args[0]);
        };
        System.out.println(result);
        System.exit(0);
    }

    private int num(String name, int dflt) {
        return Integer.parseInt(opts.getOrDefault(name, String.valueOf(dflt)));
    }

    private URI uri(String base, String topic) {
        return URI.create(base + "/ws/" + topic);
    }

    /**
     * For connect: spreads connections over several loopback addresses of the server (--hosts
     * 127.0.0.1,127.0.0.2), which multiplies the ephemeral ports available past ~28 000.
     */
    private String connectBase(int i) {
        String hosts = opts.get("hosts");
        if (hosts == null) {
            return url;
        }
        String[] list = hosts.split(",");
        URI u = URI.create(url);
        return u.getScheme() + "://" + list[i % list.length] + ":" + u.getPort();
    }

    private String payload() {
        int size = num("size", 2048);
        StringBuilder sdp = new StringBuilder(size);
        while (sdp.length() < size) {
            sdp.append("a=candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host\\r\\n");
        }
        return "{\"type\":\"offer\",\"sdp\":\"" + sdp.substring(0, size) + "\"}";
    }

    // ---- connect ----

    private String connect() throws Exception {
        int n = num("n", 5000);
        int k = num("k", 10);
        Semaphore inFlight = new Semaphore(num("concurrency", 50));
        Percentiles latency = new Percentiles();
        long rssBefore = server.rssKb();
        long cpuBefore = server.cpuMillis();
        Map<String, Set<String>> known = new ConcurrentHashMap<>();
        List<CompletableFuture<LoadClient>> all = new ArrayList<>();
        AtomicInteger failed = new AtomicInteger();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            inFlight.acquire();
            long t0 = System.nanoTime();
            String topic = "load-c-" + (i / k);
            CompletableFuture<LoadClient> c = LoadClient.connect(http, uri(connectBase(i), topic), (self, text) -> {
                String peer = LoadClient.field(text, "peerId");
                if (peer != null && text.contains("peer-joined")) {
                    known.computeIfAbsent(self.id, x -> ConcurrentHashMap.newKeySet()).add(peer);
                } else if (text.contains("\"peer-list\"")) {
                    int at = 0;
                    while ((at = text.indexOf("\"id\":\"", at)) >= 0) {
                        known.computeIfAbsent(self.id, x -> ConcurrentHashMap.newKeySet()).add(text.substring(at + 6, at + 32));
                        at += 6;
                    }
                }
            });
            c.whenComplete((client, error) -> {
                inFlight.release();
                if (error != null) {
                    failed.incrementAndGet();
                } else {
                    latency.add(System.nanoTime() - t0);
                }
            });
            all.add(c);
        }
        CompletableFuture.allOf(all.stream().map(f -> f.exceptionally(e -> null)).toArray(CompletableFuture[]::new))
                .get(10, TimeUnit.MINUTES);
        long totalNanos = System.nanoTime() - start;
        Thread.sleep(num("settle", 2000));
        int pongs = 0;
        if (num("ping", 0) == 1) {
            // every connection sends a frame and has its answer before the figure: a server holds
            // more per connection once it has read a frame from it (Liberty: its read buffers)
            List<CompletableFuture<Void>> answers = new ArrayList<>();
            for (CompletableFuture<LoadClient> f : all) {
                LoadClient client = f.getNow(null);
                if (client != null) {
                    answers.add(client.ping());
                }
            }
            for (CompletableFuture<Void> answer : answers) {
                try {
                    answer.get(30, TimeUnit.SECONDS);
                    pongs++;
                } catch (Exception e) {
                    // counted as not answered
                }
            }
            Thread.sleep(num("settle", 2000));
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(num("hold", 0))); // keep them open: pings keep flowing
        long rssAfter = server.rssKb();
        long cpuAfter = server.cpuMillis();
        int expectedPairs = 0;
        int missing = 0;
        List<List<String>> rooms = new ArrayList<>();
        for (int i = 0; i < n; i += k) {
            List<String> ids = new ArrayList<>();
            for (int j = i; j < Math.min(n, i + k); j++) {
                LoadClient client = all.get(j).getNow(null);
                if (client != null) {
                    ids.add(client.id);
                }
            }
            rooms.add(ids);
        }
        for (List<String> room : rooms) {
            for (String a : room) {
                for (String b : room) {
                    if (!a.equals(b)) {
                        expectedPairs++;
                        if (!known.getOrDefault(a, Set.of()).contains(b)) {
                            missing++;
                        }
                    }
                }
            }
        }
        all.forEach(f -> {
            LoadClient c = f.getNow(null);
            if (c != null) {
                c.close();
            }
        });
        int ok = latency.count();
        return String.format(Locale.ROOT, "{\"workload\":\"connect\",\"n\":%d,\"k\":%d,\"ok\":%d,\"fail\":%d,"
                        + "\"total_s\":%.2f,\"conn_per_s\":%.0f,\"connect_ms\":%s,\"rss_kb\":{\"before\":%d,\"after\":%d},"
                        + "\"rss_per_conn_bytes\":%d,\"presence_missing\":\"%d/%d\",\"server_cpu_ms_per_conn\":%.3f,\"pongs\":%d}",
                n, k, ok, failed.get(), totalNanos / 1e9, ok / (totalNanos / 1e9), latency.json(), rssBefore, rssAfter,
                rssBefore > 0 && ok > 0 ? (rssAfter - rssBefore) * 1024 / ok : -1, missing, expectedPairs,
                cpuBefore >= 0 && ok > 0 ? (cpuAfter - cpuBefore) / (double) ok : -1, pongs);
    }

    // ---- latency (open loop) and throughput (closed loop) ----

    private final class Pair {
        LoadClient a;
        LoadClient b;
        final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    }

    private List<Pair> pairs(int count, Percentiles rtt, AtomicLong measuredFrom, AtomicInteger errors,
                             Runnable onAnswer) throws Exception {
        String payload = payload();
        List<Pair> pairs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Pair pair = new Pair();
            String topic = "load-p-" + ThreadLocalRandom.current().nextInt() + "-" + i;
            pair.a = LoadClient.connect(http, uri(url, topic), (self, text) -> {
                if (text.startsWith("{\"type\":\"answer\"")) {
                    Long sent = pair.sentAt.remove(LoadClient.field(text, "msgId"));
                    long now = System.nanoTime();
                    if (sent != null && sent >= measuredFrom.get()) {
                        rtt.add(now - sent);
                    }
                    onAnswer.run();
                } else if (text.startsWith("{\"type\":\"error\"")) {
                    errors.incrementAndGet();
                    pair.sentAt.remove(LoadClient.field(text, "msgId"));
                    onAnswer.run();
                }
            }).get(30, TimeUnit.SECONDS);
            pair.b = LoadClient.connect(http, uri(url2, topic), (self, text) -> {
                if (text.startsWith("{\"type\":\"offer\"")) {
                    self.relay("answer", LoadClient.field(text, "from"), payload, LoadClient.field(text, "msgId"));
                }
            }).get(30, TimeUnit.SECONDS);
            pairs.add(pair);
        }
        Thread.sleep(500); // peer-joined delivered everywhere
        return pairs;
    }

    private String latency() throws Exception {
        int rate = num("rate", 2000);
        int duration = num("duration", 10);
        int warmup = num("warmup", 2);
        Percentiles rtt = new Percentiles();
        AtomicLong measuredFrom = new AtomicLong(Long.MAX_VALUE);
        AtomicInteger errors = new AtomicInteger();
        List<Pair> pairs = pairs(num("pairs", 100), rtt, measuredFrom, errors, () -> { });
        String payload = payload();
        long intervalNanos = 2_000_000_000L / rate; // one offer per interval: an offer and its answer per round trip
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(warmup + duration);
        measuredFrom.set(start + TimeUnit.SECONDS.toNanos(warmup));
        long cpuStart = -1;
        long seq = 0;
        long behindMax = 0;
        for (long next = start; next < end; next += intervalNanos) {
            long now = System.nanoTime();
            if (now < next) {
                TimeUnit.NANOSECONDS.sleep(next - now);
            } else {
                behindMax = Math.max(behindMax, now - next);
            }
            if (cpuStart < 0 && next >= measuredFrom.get()) {
                cpuStart = server.cpuMillis();
            }
            Pair pair = pairs.get((int) (seq % pairs.size()));
            String id = Long.toString(seq++);
            pair.sentAt.put(id, System.nanoTime());
            pair.a.relay("offer", pair.b.id, payload, id);
        }
        long cpuEnd = server.cpuMillis();
        Thread.sleep(2000); // drain
        long lost = pairs.stream().mapToLong(p -> p.sentAt.size()).sum();
        int measured = rtt.count();
        pairs.forEach(p -> {
            p.a.close();
            p.b.close();
        });
        return String.format(Locale.ROOT, "{\"workload\":\"latency\",\"pairs\":%d,\"rate\":%d,\"duration\":%d,"
                        + "\"crossNode\":%b,\"rtt_ms\":%s,\"lost\":%d,\"errored\":%d,\"gen_behind_max_ms\":%.1f,"
                        + "\"server_us_per_msg\":%.1f}",
                pairs.size(), rate, duration, !url.equals(url2), rtt.json(), lost, errors.get(), behindMax / 1e6,
                cpuStart >= 0 && measured > 0 ? (cpuEnd - cpuStart) * 1000.0 / (2.0 * measured) : -1);
    }

    private String throughput() throws Exception {
        int window = num("window", 8);
        int duration = num("duration", 10);
        int warmup = num("warmup", 2);
        Percentiles rtt = new Percentiles();
        AtomicLong measuredFrom = new AtomicLong(Long.MAX_VALUE);
        AtomicInteger errors = new AtomicInteger();
        AtomicLong answered = new AtomicLong();
        Semaphore slots = new Semaphore(0);
        List<Pair> pairs = pairs(num("pairs", 50), rtt, measuredFrom, errors, () -> {
            answered.incrementAndGet();
            slots.release();
        });
        String payload = payload();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(warmup + duration);
        AtomicLong seq = new AtomicLong();
        for (Pair pair : pairs) {
            for (int w = 0; w < window; w++) {
                String id = Long.toString(seq.incrementAndGet());
                pair.sentAt.put(id, System.nanoTime());
                pair.a.relay("offer", pair.b.id, payload, id);
            }
        }
        // each answer frees a slot: the next offer goes to a pair picked round-robin
        long answeredAtStart = -1;
        long cpuStart = -1;
        long measureStart = start + TimeUnit.SECONDS.toNanos(warmup);
        int next = 0;
        while (System.nanoTime() < end) {
            if (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                continue;
            }
            if (answeredAtStart < 0 && System.nanoTime() >= measureStart) {
                measuredFrom.set(System.nanoTime());
                answeredAtStart = answered.get();
                cpuStart = server.cpuMillis();
            }
            Pair pair = pairs.get(next++ % pairs.size());
            String id = Long.toString(seq.incrementAndGet());
            pair.sentAt.put(id, System.nanoTime());
            pair.a.relay("offer", pair.b.id, payload, id);
        }
        long delivered = answered.get() - Math.max(0, answeredAtStart);
        long cpuEnd = server.cpuMillis();
        double seconds = (System.nanoTime() - measuredFrom.get()) / 1e9;
        pairs.forEach(p -> {
            p.a.close();
            p.b.close();
        });
        return String.format(Locale.ROOT, "{\"workload\":\"throughput\",\"pairs\":%d,\"window\":%d,\"crossNode\":%b,"
                        + "\"delivered_msgs_per_s\":%.0f,\"round_trips_per_s\":%.0f,\"rtt_ms\":%s,\"errored\":%d,"
                        + "\"server_us_per_msg\":%.1f}",
                pairs.size(), window, !url.equals(url2), 2 * delivered / seconds, delivered / seconds, rtt.json(),
                errors.get(), cpuStart >= 0 && delivered > 0 ? (cpuEnd - cpuStart) * 1000.0 / (2.0 * delivered) : -1);
    }

    // ---- churn ----

    /**
     * Rooms of k peers; at --churn-rate a random member leaves and a newcomer joins (on --url2
     * when given: cross-node). Counts the peer-left and peer-joined the other members missed, and
     * times each join until the welcome and until each member of the room saw its peer-joined
     * (propagation; across nodes with --url2).
     */
    private String churn() throws Exception {
        int n = num("n", 1000);
        int k = num("k", 10);
        int rate = num("churn-rate", 500);
        int duration = num("duration", 8);
        int rooms = n / k;
        Map<String, Map<String, Long>> seen = new ConcurrentHashMap<>(); // observer -> "+id" / "-id" -> nanoTime
        Map<String, String> where = new ConcurrentHashMap<>(); // peer -> "url@ms" / "url2@ms": its node and join time
        long t00 = System.nanoTime();
        Map<String, Long> leftAt = new ConcurrentHashMap<>(); // leaver -> when it closed
        List<List<LoadClient>> members = new ArrayList<>();
        for (int r = 0; r < rooms; r++) {
            List<LoadClient> room = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                LoadClient member = join(url, r, seen).get(30, TimeUnit.SECONDS);
                where.put(member.id, "url@" + (System.nanoTime() - t00) / 1_000_000);
                room.add(member);
            }
            members.add(room);
        }
        long checked = 0;
        long missedJoin = 0;
        long missedLeave = 0;
        long observerGone = 0;
        Percentiles op = new Percentiles();
        Percentiles propagation = new Percentiles();
        long interval = 1_000_000_000L / rate;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(duration);
        List<Object[]> pending = new ArrayList<>(); // {observers, event, when the join or leave began}
        int ops = 0;
        for (long next = System.nanoTime(); next < end; next += interval) {
            long now = System.nanoTime();
            if (now < next) {
                TimeUnit.NANOSECONDS.sleep(next - now);
            }
            int r = ThreadLocalRandom.current().nextInt(rooms);
            List<LoadClient> room = members.get(r);
            LoadClient leaver = room.remove(ThreadLocalRandom.current().nextInt(room.size()));
            leaver.close();
            long closedAt = System.nanoTime();
            leftAt.put(leaver.id, closedAt);
            List<String> observers = room.stream().map(c -> c.id).toList();
            pending.add(new Object[] {observers, "-" + leaver.id, closedAt});
            long t0 = System.nanoTime();
            LoadClient joiner = join(url2, r, seen).get(30, TimeUnit.SECONDS);
            op.add(System.nanoTime() - t0);
            where.put(joiner.id, "url2@" + (t0 - t00) / 1_000_000 + " room " + r);
            pending.add(new Object[] {observers, "+" + joiner.id, t0});
            room.add(joiner);
            ops++;
        }
        Thread.sleep(num("event-timeout", 3000));
        List<String> missed = new ArrayList<>(); // the first few, for a look at the servers' logs
        for (Object[] p : pending) {
            @SuppressWarnings("unchecked")
            List<String> observers = (List<String>) p[0];
            String event = (String) p[1];
            for (String observer : observers) {
                checked++;
                Long at = seen.getOrDefault(observer, Map.of()).get(event);
                Long gone = leftAt.get(observer);
                if (at == null && gone != null && gone - (Long) p[2] < 500_000_000L) {
                    observerGone++; // it left within 0.5 s of the event, which may have been on its way
                    continue;
                }
                if (at == null) {
                    if (missed.size() < 5) {
                        missed.add("\"" + observer + " (" + where.get(observer) + ") missed " + event.charAt(0) + " of "
                                + event.substring(1) + " (" + where.get(event.substring(1)) + ")\"");
                    }
                    if (event.startsWith("+")) {
                        missedJoin++;
                    } else {
                        missedLeave++;
                    }
                } else if (event.startsWith("+")) {
                    propagation.add(at - (Long) p[2]);
                }
            }
        }
        members.forEach(room -> room.forEach(LoadClient::close));
        return String.format(Locale.ROOT, "{\"workload\":\"churn\",\"n\":%d,\"k\":%d,\"churn_rate\":%d,\"cross_node\":%b,"
                        + "\"ops\":%d,\"ops_per_s\":%.1f,\"events_checked\":%d,\"missed_join\":%d,\"missed_leave\":%d,"
                        + "\"observer_left_meanwhile\":%d,\"join_ms\":%s,\"join_propagation_ms\":%s,\"missed\":%s}",
                n, k, rate, !url.equals(url2), ops, ops / (double) duration, checked, missedJoin, missedLeave, observerGone,
                op.json(), propagation.json(), missed);
    }

    private CompletableFuture<LoadClient> join(String base, int room, Map<String, Map<String, Long>> seen) {
        return LoadClient.connect(http, uri(base, "load-churn-" + room), (self, text) -> {
            String peer = LoadClient.field(text, "peerId");
            if (peer != null) {
                seen.computeIfAbsent(self.id, x -> new ConcurrentHashMap<>())
                        .putIfAbsent((text.contains("peer-joined") ? "+" : "-") + peer, System.nanoTime());
            }
        });
    }

    // ---- resume ----

    /**
     * n rounds, one after the other: a client joins a partner's topic on --url, its connection
     * drops without a close frame, the partner sends it --held relays once the server has it away
     * (polled from /debug/stats), and it comes back with its token on --url2. Times the
     * reconnect from the start of the handshake until welcome and every held relay have arrived;
     * counts sessions not resumed, relays missing and any peer-left/peer-joined the partner saw.
     */
    // ---- attack: one unauthenticated client's ways to exhaust the heap ----

    /**
     * {@code connections} attackers at once, each writing as fast as the server reads for
     * {@code duration} seconds (or until the server stops it): a frame that never ends, a message
     * of endless continuation frames, or an upgrade request of 450 headers of 30 KB that never
     * ends. Reports what each attacker got through before it was refused, the round trips of a pair
     * meanwhile, and the server's heap after a full GC (with --pid).
     */
    private String attack() throws Exception {
        String kind = opts.getOrDefault("kind", "frame");
        int connections = num("connections", 4);
        int duration = num("duration", 10);
        long heapBefore = server.heapUsedKb();
        URI base = URI.create(url);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(duration);
        AtomicLong written = new AtomicLong();
        AtomicInteger refused = new AtomicInteger();
        List<Thread> attackers = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Thread attacker = new Thread(() -> {
                try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
                    java.io.OutputStream out = socket.getOutputStream();
                    String head = "GET /ws/load-a HTTP/1.1\r\nHost: " + base.getHost() + "\r\nUpgrade: websocket\r\n"
                            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
                    if (kind.equals("headers")) {
                        out.write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                        String value = "v".repeat(30_000);
                        for (int h = 0; h < 450 && System.nanoTime() < deadline; h++) {
                            byte[] line = ("X-Filler-" + h + ": " + value + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                            out.write(line);
                            written.addAndGet(line.length);
                        }
                        while (System.nanoTime() < deadline) { // never finished, held open
                            Thread.sleep(100);
                            out.write(' '); // a folded continuation of the last header, one byte at a time
                        }
                        return;
                    }
                    out.write((head + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    byte[] data = new byte[60_000];
                    java.util.Arrays.fill(data, (byte) 'x');
                    if (kind.equals("frame")) {
                        out.write(new byte[] {(byte) 0x81, (byte) 0xff, 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
                    }
                    for (boolean first = true; System.nanoTime() < deadline; first = false) {
                        if (kind.equals("fragments")) {
                            out.write(new byte[] {(byte) (first ? 0x01 : 0x00), (byte) 0xfe, (byte) (60_000 >> 8),
                                    (byte) (60_000 & 0xff), 0, 0, 0, 0});
                        }
                        out.write(data);
                        written.addAndGet(data.length);
                    }
                } catch (java.io.IOException e) {
                    refused.incrementAndGet(); // the server closed the connection on it
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            attacker.start();
            attackers.add(attacker);
        }
        Percentiles rtt = new Percentiles();
        String topic = "load-a-pair-" + System.nanoTime();
        java.util.concurrent.LinkedBlockingQueue<String> answers = new java.util.concurrent.LinkedBlockingQueue<>();
        LoadClient a = LoadClient.connect(http, uri(url, topic), (self, text) -> {
            if (text.startsWith("{\"type\":\"answer\"")) {
                answers.add(text);
            }
        }).get(10, TimeUnit.SECONDS);
        LoadClient b = LoadClient.connect(http, uri(url, topic), (self, text) -> {
            if (text.startsWith("{\"type\":\"offer\"")) {
                self.relay("answer", LoadClient.field(text, "from"), "{}", LoadClient.field(text, "msgId"));
            }
        }).get(10, TimeUnit.SECONDS);
        int lost = 0;
        for (long i = 0; System.nanoTime() < deadline; i++) {
            long t0 = System.nanoTime();
            a.relay("offer", b.id, "{}", "a" + i);
            if (answers.poll(30, TimeUnit.SECONDS) == null) {
                lost++;
            } else {
                rtt.add(System.nanoTime() - t0);
            }
            Thread.sleep(50);
        }
        for (Thread attacker : attackers) {
            attacker.join(TimeUnit.SECONDS.toMillis(30));
        }
        a.close();
        b.close();
        return String.format(Locale.ROOT, "{\"workload\":\"attack\",\"kind\":\"%s\",\"connections\":%d,"
                        + "\"duration\":%d,\"mb_written\":%.1f,\"refused\":%d,\"pair_rtt_ms\":%s,\"lost\":%d,"
                        + "\"heap_used_mb_before\":%.1f,\"heap_used_mb_after\":%.1f}",
                kind, connections, duration, written.get() / 1048576.0, refused.get(), rtt.json(), lost,
                heapBefore / 1024.0, server.heapUsedKb() / 1024.0);
    }

    // ---- silent: a crowd of peers the server must find dead and close ----

    /**
     * {@code n} raw connections handshake (5 to a topic) and then never read again nor answer a
     * ping, so that the server closes them all at its ping timeout; meanwhile one pair in a topic
     * of its own exchanges an offer and an answer every 50 ms and /health/live is asked each time:
     * their worst times say whether closing the crowd held anyone up.
     */
    private String silent() throws Exception {
        int n = num("n", 300);
        int duration = num("duration", 15);
        URI base = URI.create(url);
        List<java.net.Socket> crowd = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            java.net.Socket socket = new java.net.Socket();
            socket.setReceiveBufferSize(4096);
            socket.connect(new java.net.InetSocketAddress(base.getHost(), base.getPort()), 10_000);
            socket.getOutputStream().write(("GET /ws/load-s-" + (i / 5) + " HTTP/1.1\r\nHost: " + base.getHost()
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="
                    + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            crowd.add(socket);
        }
        Percentiles rtt = new Percentiles();
        Percentiles health = new Percentiles();
        String topic = "load-s-pair-" + System.nanoTime();
        java.util.concurrent.LinkedBlockingQueue<String> answers = new java.util.concurrent.LinkedBlockingQueue<>();
        LoadClient a = LoadClient.connect(http, uri(url, topic), (self, text) -> {
            if (text.startsWith("{\"type\":\"answer\"")) {
                answers.add(text);
            }
        }).get(10, TimeUnit.SECONDS);
        LoadClient b = LoadClient.connect(http, uri(url, topic), (self, text) -> {
            if (text.startsWith("{\"type\":\"offer\"")) {
                self.relay("answer", LoadClient.field(text, "from"), "{}", LoadClient.field(text, "msgId"));
            }
        }).get(10, TimeUnit.SECONDS);
        java.net.http.HttpRequest live = java.net.http.HttpRequest.newBuilder(
                URI.create(url.replaceFirst("^ws", "http") + "/health/live")).timeout(java.time.Duration.ofSeconds(30)).build();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(duration);
        int lost = 0;
        for (long i = 0; System.nanoTime() < end; i++) {
            long t0 = System.nanoTime();
            a.relay("offer", b.id, "{}", "s" + i);
            if (answers.poll(30, TimeUnit.SECONDS) == null) {
                lost++;
            } else {
                rtt.add(System.nanoTime() - t0);
            }
            long h0 = System.nanoTime();
            http.send(live, java.net.http.HttpResponse.BodyHandlers.discarding());
            health.add(System.nanoTime() - h0);
            Thread.sleep(50);
        }
        a.close();
        b.close();
        for (java.net.Socket socket : crowd) {
            socket.close();
        }
        return String.format(Locale.ROOT, "{\"workload\":\"silent\",\"silent_peers\":%d,\"duration\":%d,"
                        + "\"pair_rtt_ms\":%s,\"lost\":%d,\"health_live_ms\":%s}",
                n, duration, rtt.json(), lost, health.json());
    }

    // ---- flood: one peer floods, the others of its topic talk ----

    /**
     * A flooder sends {@code flood-rate} offers a second to a victim of its topic for
     * {@code duration} seconds (or until the server closes it), while {@code pairs} other pairs of
     * the same topic exchange offers and answers at {@code rate} a second: their round trips
     * before the flood (2 s), while the flooder is connected, and after it was closed; and what the
     * flooder got (rate_limited, its close).
     */
    private String flood() throws Exception {
        int pairCount = num("pairs", 20);
        int rate = num("rate", 1000);
        int floodRate = num("flood-rate", 5000);
        int duration = num("duration", 6);
        String payload = payload();
        String topic = "load-f-" + System.nanoTime();
        Percentiles before = new Percentiles();
        Percentiles during = new Percentiles();
        Percentiles after = new Percentiles();
        AtomicInteger limited = new AtomicInteger();
        AtomicLong floodStart = new AtomicLong(Long.MAX_VALUE);
        AtomicLong closedAt = new AtomicLong(Long.MAX_VALUE);
        LoadClient victim = LoadClient.connect(http, uri(url, topic), (self, text) -> { }).get(10, TimeUnit.SECONDS);
        LoadClient flooder = LoadClient.connect(http, uri(url, topic), (self, text) -> {
            if (text.contains("\"rate_limited\"")) {
                limited.incrementAndGet();
            }
        }).get(10, TimeUnit.SECONDS);
        List<Pair> pairs = new ArrayList<>();
        for (int i = 0; i < pairCount; i++) {
            Pair pair = new Pair();
            pair.a = LoadClient.connect(http, uri(url, topic), (self, text) -> {
                if (text.startsWith("{\"type\":\"answer\"")) {
                    Long sent = pair.sentAt.remove(LoadClient.field(text, "msgId"));
                    if (sent != null) {
                        (sent < floodStart.get() ? before : sent < closedAt.get() ? during : after).add(System.nanoTime() - sent);
                    }
                }
            }).get(10, TimeUnit.SECONDS);
            pair.b = LoadClient.connect(http, uri(url, topic), (self, text) -> {
                if (text.startsWith("{\"type\":\"offer\"")) {
                    self.relay("answer", LoadClient.field(text, "from"), payload, LoadClient.field(text, "msgId"));
                }
            }).get(10, TimeUnit.SECONDS);
            pairs.add(pair);
        }
        Thread.sleep(500);
        long start = System.nanoTime();
        long floodAt = start + TimeUnit.SECONDS.toNanos(2);
        long end = floodAt + TimeUnit.SECONDS.toNanos(duration);
        floodStart.set(floodAt);
        flooder.closed.thenRun(() -> closedAt.set(System.nanoTime()));
        Thread flood = new Thread(() -> {
            long interval = 1_000_000_000L / floodRate;
            long next = floodAt;
            for (long i = 0; System.nanoTime() < end && !flooder.closed.isDone(); i++, next += interval) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
                flooder.relay("offer", victim.id, "{}", "x" + i);
            }
        });
        flood.start();
        long interval = 1_000_000_000L / rate;
        long seq = 0;
        for (long next = start; next < end; next += interval) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            Pair pair = pairs.get((int) (seq % pairs.size()));
            String id = Long.toString(seq++);
            pair.sentAt.put(id, System.nanoTime());
            pair.a.relay("offer", pair.b.id, payload, id);
        }
        flood.join();
        Integer code = null;
        try {
            code = flooder.closed.get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException stillOpen) {
            // not closed
        }
        long closedAfter = code == null ? -1 : TimeUnit.NANOSECONDS.toMillis(closedAt.get() - floodAt);
        Thread.sleep(1000);
        long lost = pairs.stream().mapToLong(p -> p.sentAt.size()).sum();
        pairs.forEach(p -> {
            p.a.close();
            p.b.close();
        });
        victim.close();
        return String.format(Locale.ROOT, "{\"workload\":\"flood\",\"pairs\":%d,\"rate\":%d,\"flood_rate\":%d,"
                        + "\"duration\":%d,\"flooder_rate_limited\":%d,\"flooder_close_code\":%s,"
                        + "\"flooder_closed_after_ms\":%d,\"rtt_before_ms\":%s,\"rtt_during_ms\":%s,\"rtt_after_ms\":%s,"
                        + "\"lost\":%d}",
                pairCount, rate, floodRate, duration, limited.get(), code, closedAfter, before.json(), during.json(),
                after.json(), lost);
    }

    // ---- mesh: a newcomer's burst in a mesh room ----

    private static String counts(Map<String, AtomicInteger> counts) {
        StringBuilder json = new StringBuilder("{");
        counts.forEach((k, v) -> json.append(json.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v.get()));
        return json.append('}').toString();
    }

    /**
     * Each round: a room of {@code peers - 1} members; a newcomer joins and sends each member an
     * offer (~1.5 KB) and {@code candidates} ICE candidates at once; each member answers, as soon
     * as the offer is in, with an answer and as many candidates. Timed from the first message of
     * the burst: until the last of it has reached its member ("out"), and until the last answer
     * has reached the newcomer ("back"). Every error frame anywhere is counted.
     */
    private String mesh() throws Exception {
        int peers = num("peers", 50);
        int candidates = num("candidates", 20);
        int rounds = num("rounds", 5);
        String sdp = "\"" + "a=candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host\\r\\n".repeat(25) + "\"";
        String candidate = "{\"candidate\":\"candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr "
                + "192.168.1.20 rport 46154 generation 0 ufrag EsAw network-cost 999\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0}";
        Percentiles out = new Percentiles();
        Percentiles back = new Percentiles();
        Map<String, AtomicInteger> errors = new ConcurrentHashMap<>();
        int incomplete = 0;
        long cpuBefore = server.cpuMillis();
        for (int round = 0; round < rounds; round++) {
            String topic = "load-m-" + round + "-" + System.nanoTime();
            int burst = candidates + 1;
            java.util.concurrent.CountDownLatch outDone = new java.util.concurrent.CountDownLatch((peers - 1) * burst);
            java.util.concurrent.CountDownLatch backDone = new java.util.concurrent.CountDownLatch((peers - 1) * burst);
            AtomicLong lastOut = new AtomicLong();
            AtomicLong lastBack = new AtomicLong();
            String[] newcomerId = new String[1];
            List<LoadClient> members = new ArrayList<>();
            for (int i = 0; i < peers - 1; i++) {
                members.add(LoadClient.connect(http, uri(url, topic), (self, text) -> {
                    if (text.contains("\"type\":\"error\"")) {
                        errors.computeIfAbsent(LoadClient.field(text, "code"), c -> new AtomicInteger()).incrementAndGet();
                    } else if (text.contains("\"type\":\"offer\"") || text.contains("\"type\":\"ice-candidate\"")) {
                        lastOut.accumulateAndGet(System.nanoTime(), Math::max);
                        outDone.countDown();
                        if (text.contains("\"type\":\"offer\"")) {
                            self.relay("answer", newcomerId[0], sdp, "a");
                            for (int c = 0; c < candidates; c++) {
                                self.relay("ice-candidate", newcomerId[0], candidate, "c" + c);
                            }
                        }
                    }
                }).get(10, TimeUnit.SECONDS));
            }
            LoadClient newcomer = LoadClient.connect(http, uri(url, topic), (self, text) -> {
                if (text.contains("\"type\":\"error\"")) {
                    errors.computeIfAbsent(LoadClient.field(text, "code"), c -> new AtomicInteger()).incrementAndGet();
                } else if (text.contains("\"type\":\"answer\"") || text.contains("\"type\":\"ice-candidate\"")) {
                    lastBack.accumulateAndGet(System.nanoTime(), Math::max);
                    backDone.countDown();
                }
            }).get(10, TimeUnit.SECONDS);
            newcomerId[0] = newcomer.id;
            long t0 = System.nanoTime();
            for (LoadClient member : members) {
                newcomer.relay("offer", member.id, sdp, "o");
                for (int c = 0; c < candidates; c++) {
                    newcomer.relay("ice-candidate", member.id, candidate, "c" + c);
                }
            }
            boolean whole = outDone.await(30, TimeUnit.SECONDS) & backDone.await(30, TimeUnit.SECONDS);
            if (whole) {
                out.add(lastOut.get() - t0);
                back.add(lastBack.get() - t0);
            } else {
                incomplete++;
            }
            newcomer.close();
            members.forEach(LoadClient::close);
        }
        long messages = 2L * rounds * (peers - 1) * (candidates + 1);
        return String.format(Locale.ROOT, "{\"workload\":\"mesh\",\"peers\":%d,\"candidates\":%d,\"rounds\":%d,"
                        + "\"messages_per_round\":%d,\"incomplete_rounds\":%d,\"errors\":%s,\"burst_out_ms\":%s,"
                        + "\"answers_back_ms\":%s,\"server_cpu_us_per_msg\":%.1f}",
                peers, candidates, rounds, messages / rounds, incomplete, counts(errors), out.json(), back.json(),
                (server.cpuMillis() - cpuBefore) * 1000.0 / messages);
    }

    private String resume() throws Exception {
        int n = num("n", 200);
        int held = num("held", 5);
        Percentiles took = new Percentiles();
        int notResumed = 0;
        int relaysMissing = 0;
        Set<String> flaps = ConcurrentHashMap.newKeySet();
        URI stats = URI.create(url.replaceFirst("^ws", "http") + "/debug/stats");
        for (int round = 0; round < n; round++) {
            String topic = "load-r-" + round;
            java.util.concurrent.atomic.AtomicBoolean watching = new java.util.concurrent.atomic.AtomicBoolean(true);
            LoadClient partner = LoadClient.connect(http, uri(url, topic), (self, text) -> {
                if (watching.get() && text.contains("\"peer-left\"")) {
                    flaps.add(LoadClient.field(text, "peerId"));
                }
            }).get(10, TimeUnit.SECONDS);
            LoadClient leaving = LoadClient.connect(http, URI.create(uri(url, topic) + "?resumable=true"), (self, text) -> { })
                    .get(10, TimeUnit.SECONDS);
            leaving.abort();
            awaitAway(stats, leaving.id);
            for (int i = 0; i < held; i++) {
                partner.relay("ice-candidate", leaving.id, "{\"i\":" + i + "}", "h" + i);
            }
            java.util.concurrent.CountDownLatch arrived = new java.util.concurrent.CountDownLatch(held);
            long t0 = System.nanoTime();
            LoadClient back = LoadClient.connect(http, URI.create(uri(url2, topic) + "?resume=" + leaving.resumeToken),
                    (self, text) -> {
                        if (text.contains("\"ice-candidate\"")) {
                            arrived.countDown();
                        }
                    }).get(10, TimeUnit.SECONDS);
            boolean all = arrived.await(5, TimeUnit.SECONDS);
            long elapsed = System.nanoTime() - t0;
            if (!leaving.id.equals(back.id)) {
                notResumed++;
            } else if (!all) {
                relaysMissing += (int) arrived.getCount();
            } else {
                took.add(elapsed);
            }
            watching.set(false); // what follows is the round's own, normal leave
            partner.close();
            back.close();
        }
        return String.format(Locale.ROOT, "{\"workload\":\"resume\",\"cross_node\":%b,\"rounds\":%d,\"held\":%d,"
                        + "\"not_resumed\":%d,\"relays_missing\":%d,\"partner_saw_leave\":%d,\"resume_ms\":%s}",
                !url.equals(url2), n, held, notResumed, relaysMissing, flaps.size(), took.json());
    }

    private void awaitAway(URI stats, String id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            String body = http.send(java.net.http.HttpRequest.newBuilder(stats).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            if (body.contains("\"" + id + "\"")) {
                return;
            }
            Thread.sleep(2);
        }
        throw new IllegalStateException("the server never had " + id + " away");
    }
}
