package it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
    private final Process process;

    private PayaraServer(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    static PayaraServer start(Map<String, String> properties) throws Exception {
        return start(properties, Map.of());
    }

    /** Starts Payara Micro with these system properties and environment variables (MP Config reads both). */
    static PayaraServer start(Map<String, String> properties, Map<String, String> env) throws Exception {
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
        Process process = builder.start();
        PayaraServer server = new PayaraServer(port, process);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(server.httpBase() + "health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return server;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(500);
        }
        server.close();
        throw new IllegalStateException("Payara Micro did not become ready; see " + root.resolve("payara.log"));
    }

    /** The process id of Payara's JVM. */
    long pid() {
        return process.pid();
    }

    @Override
    public int port() {
        return port;
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
