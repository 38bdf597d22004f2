package it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The browser client library and the demo page against a real server process at context root /:
 * the library's node:test suite (reconnect, msgId correlation, errors), then two pages of the
 * demo in Debian's Chromium (playwright-core) making a real WebRTC data channel through the
 * server. npm packages are installed into src/test/js/node_modules when missing; Chromium is
 * Debian's package (.ci/run installs it). The subclass starts the server (Liberty, Payara).
 */
abstract class JavaScriptClientContract {

    static final Path JS = Path.of("src/test/js");
    static final String TURN_SECRET = "js-test-turn-secret";
    static final String TURN_URIS = "turn:127.0.0.1:3478?transport=udp,turns:127.0.0.1:5349";
    /** The server's settings, as environment variables. */
    static final Map<String, String> ENV = Map.of("SIGNALING_TURN_SECRET", TURN_SECRET, "SIGNALING_TURN_URIS", TURN_URIS);
    /** Started by the subclass, with {@link #ENV}. */
    static ServerProcess server;

    @BeforeAll
    static void installPackages() throws Exception {
        if (!Files.isDirectory(JS.resolve("node_modules/playwright-core")) || !Files.isDirectory(JS.resolve("node_modules/ws"))) {
            assertEquals(0, run(List.of("npm", "install", "--no-audit", "--no-fund"), Map.of(), 300), "npm install");
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    private static int run(List<String> command, Map<String, String> env, int timeoutSeconds)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile("js-test", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(JS.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        boolean finished = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!finished) {
            process.destroyForcibly();
        }
        System.out.println(Files.readString(log)); // the node output, in the test report
        Files.deleteIfExists(log);
        return finished ? process.exitValue() : -1;
    }

    @Test
    void clientLibraryTestsPassAgainstTheServer() throws Exception {
        int exit = run(List.of("node", "--test", "--test-timeout=30000", "client.test.mjs"),
                Map.of("SERVER_URL", server.httpBase(), "TURN_SECRET", TURN_SECRET, "TURN_URIS", TURN_URIS), 180);
        // a client left waiting (its close never answered) is a server thread held somewhere: say where
        assertEquals(0, exit, () -> "node --test client.test.mjs; the server's threads now:\n"
                + ThreadDumps.applicationThreads(server.pid()));
    }

    /** A server of the subclass's runtime with that environment, ready. */
    abstract ServerProcess start(String name, Map<String, String> env) throws Exception;

    /**
     * An application's page on another origin, with a token: the module import of the client, the
     * handshake and the TURN fetch (a preflight for its Authorization header) all go through, because
     * signaling.origins names that origin.
     */
    @Test
    void aPageOnAnotherOriginImportsTheClientJoinsAndGetsTurnCredentials() throws Exception {
        int pagePort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            pagePort = socket.getLocalPort();
        }
        String secret = "cross-origin-test-secret-of-32-bytes-at-least";
        Map<String, String> env = new java.util.HashMap<>(ENV);
        env.putAll(Map.of("SIGNALING_AUTH_MODE", "jwt", "SIGNALING_AUTH_JWT_SECRET", secret,
                "SIGNALING_ORIGINS", "http://127.0.0.1:" + pagePort));
        try (ServerProcess elsewhere = start("jsCorsServer", env)) {
            assertEquals(0, run(List.of("node", "cross-origin-e2e.mjs"), Map.of("SERVER_URL", elsewhere.httpBase(),
                    "PAGE_PORT", String.valueOf(pagePort), "JWT_SECRET", secret), 180), "node cross-origin-e2e.mjs");
        }
    }

    @Test
    void twoBrowsersOpenADataChannelThroughTheServer() throws Exception {
        Path shots = Path.of("target/screenshots").toAbsolutePath();
        Files.createDirectories(shots);
        Files.deleteIfExists(shots.resolve("alice.png"));
        Files.deleteIfExists(shots.resolve("bob.png"));
        assertEquals(0, run(List.of("node", "browser-e2e.mjs"),
                Map.of("SERVER_URL", server.httpBase().replaceAll("/$", ""), "SCREENSHOTS", shots.toString()), 180),
                "node browser-e2e.mjs");
        assertTrue(Files.size(shots.resolve("alice.png")) > 0);
        assertTrue(Files.size(shots.resolve("bob.png")) > 0);
    }
}
