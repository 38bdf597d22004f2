package it;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Configuration from the environment and from a file, on a real server process. */
abstract class ConfigContract {

    /** Starts a server process of the runtime under test with this environment; does not wait for it. */
    abstract ServerProcess launch(String name, Map<String, String> env) throws Exception;

    /** Starts one and waits until it is ready. */
    ServerProcess start(String name, Map<String, String> env) throws Exception {
        ServerProcess server = launch(name, env);
        server.requireReady(name, Duration.ofSeconds(180));
        return server;
    }

    /** What readiness answers once the application failed to start: Liberty's health says DOWN. */
    protected int failedReadyStatus() {
        return 503;
    }

    /** What the application's own URLs answer then: Liberty has no such application. */
    protected int failedApplicationStatus() {
        return 404;
    }

    @Test
    void anInvalidValueStopsTheApplicationWithOneLineNamingIt() throws Exception {
        try (ServerProcess server = launch("badConfigServer", Map.of("SIGNALING_QUEUE_MAX_BYTES", "-5"))) {
            Optional<String> line = server.awaitLogLine("Invalid configuration:", Duration.ofSeconds(120));
            assertTrue(line.isPresent(), "a line names the bad value");
            assertTrue(line.get().contains("signaling.queue.max-bytes=-5 must be between 1024 and"), line.get());
            assertTrue(server.awaitStatus("/health/ready", failedReadyStatus(), Duration.ofSeconds(30)), "never ready");
            assertEquals(failedApplicationStatus(), server.status("/healthz"), "the application did not start");
        }
    }

    @Test
    void jwtAuthWithoutAKeyStopsTheApplicationWithoutLoggingSecrets() throws Exception {
        try (ServerProcess server = launch("noKeyServer", Map.of(
                "SIGNALING_AUTH_MODE", "jwt", "SIGNALING_AUTH_JWT_AUDIENCE", "signaling"))) {
            Optional<String> line = server.awaitLogLine("Invalid configuration:", Duration.ofSeconds(120));
            assertTrue(line.isPresent());
            assertTrue(line.get().contains("signaling.auth.mode=jwt needs a key"), line.get());
        }
        try (ServerProcess server = launch("shortKeyServer", Map.of(
                "SIGNALING_AUTH_MODE", "jwt", "SIGNALING_AUTH_JWT_SECRET", "too-short-secret-value"))) {
            Optional<String> line = server.awaitLogLine("Invalid configuration:", Duration.ofSeconds(120));
            assertTrue(line.isPresent());
            assertTrue(line.get().contains("signaling.auth.jwt.secret must be at least 32 bytes"), line.get());
            assertTrue(Files.readString(server.log()).indexOf("too-short-secret-value") < 0,
                    "the secret is never logged");
        }
    }

    /**
     * The labelled counters the dashboard and the alert rules use are in a fresh server's first
     * scrape, and a close code a client picks makes no series of its own (before: one per code).
     */
    @Test
    void theFirstScrapeHasTheLabelledCountersAndClientsMakeNoSeries() throws Exception {
        try (ServerProcess server = start("metricsServer", Map.of())) {
            String first = scrape(server);
            assertEquals(0, value(first, "signaling_connections_closed_total", "code=\"1000\""), first);
            assertEquals(0, value(first, "signaling_connections_closed_total", "code=\"other\""), first);
            assertEquals(0, value(first, "signaling_handshakes_rejected_total", "reason=\"node_full\""), first);
            assertEquals(0, value(first, "signaling_resumes_total", "result=\"ok\""), first);
            for (int code : new int[] {3001, 4777, 4999}) {
                try (WsClient client = WsClient.connect(server.wsBase(), "series-" + code)) {
                    client.next("peer-list");
                    client.close(code);
                }
            }
            assertTrue(awaitScrape(server, s -> value(s, "signaling_connections_closed_total", "code=\"other\"") == 3),
                    "the three closes counted as other");
            String after = scrape(server);
            for (String code : List.of("3001", "4777", "4999")) {
                assertEquals(-1, value(after, "signaling_connections_closed_total", "code=\"" + code + "\""),
                        "no series for " + code);
            }
        }
    }

    /** The value of the series of that name whose labels hold {@code label}; -1 when there is none. */
    private static double value(String scrape, String name, String label) {
        return scrape.lines().filter(l -> l.startsWith(name + "{") && l.substring(0, l.indexOf('}') + 1).contains(label))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
    }

    private static String scrape(ServerProcess server) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(server.httpBase() + "metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Scrapes until {@code done} holds (a close is counted once the server's onClose has run). */
    private static boolean awaitScrape(ServerProcess server, java.util.function.Predicate<String> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (done.test(scrape(server))) {
                return true;
            }
            Thread.sleep(50); // polling a scrape: the server has no event for "counted"
        }
        return false;
    }

    @Test
    void aConfigFileSetsValuesAndTheEnvironmentOverridesIt() throws Exception {
        Path file = Files.createTempFile("signaling", ".properties");
        Files.writeString(file, "signaling.debug.enabled=false\nsignaling.queue.max-bytes=-1\n");
        // the file's invalid queue size is overridden by the environment; its debug switch is not
        try (ServerProcess server = start("fileConfigServer", Map.of(
                "SIGNALING_CONFIG_FILE", file.toString(), "SIGNALING_QUEUE_MAX_BYTES", "2MiB"))) {
            assertEquals(404, server.status("/debug/stats"), "debug endpoint switched off by the file");
            assertEquals(200, server.status("/healthz"));
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
