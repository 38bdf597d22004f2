package it;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
