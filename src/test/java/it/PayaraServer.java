package it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Payara Micro 6 running the very WAR that Liberty runs, unchanged, at context root /, with the
 * given system properties (MP Config reads them); a fresh root directory each time.
 */
final class PayaraServer implements ServerProcess {

    final int port;
    private final Path root;
    private final Process process;

    private PayaraServer(int port, Path root, Process process) {
        this.port = port;
        this.root = root;
        this.process = process;
    }

    static PayaraServer start(Map<String, String> properties) throws Exception {
        return start(properties, Map.of());
    }

    /** Starts Payara Micro with these system properties and environment variables (MP Config reads both). */
    static PayaraServer start(Map<String, String> properties, Map<String, String> env) throws Exception {
        PayaraServer server = launch(properties, env);
        server.requireReady("Payara Micro", Duration.ofSeconds(180));
        return server;
    }

    /** Starts Payara Micro and does not wait for it. */
    static PayaraServer launch(Map<String, String> properties, Map<String, String> env) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path root = Files.createTempDirectory("payara-root");
        List<String> command = new ArrayList<>(List.of("java", "-Xmx512m"));
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("-jar", System.getProperty("it.payaraJar", "target/payara/payara-micro.jar"),
                "--deploy", System.getProperty("it.war", "target/lanscape-signaling.war"),
                "--port", String.valueOf(port), "--contextroot", "/", "--nocluster", "--rootDir", root.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(root.resolve("payara.log").toFile());
        builder.environment().putAll(env);
        return new PayaraServer(port, root, builder.start());
    }

    /** The process id of Payara's JVM. */
    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public Path log() {
        return root.resolve("payara.log");
    }

    @Override
    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void sigterm() {
        process.destroy();
    }

    @Override
    public void kill9() {
        process.destroyForcibly();
    }

    @Override
    public boolean awaitExit(Duration max) throws InterruptedException {
        return process.waitFor(max.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    URL url() throws Exception {
        return URI.create(httpBase()).toURL();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
