package it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A Liberty server process of our own, for what Arquillian cannot do: send it SIGTERM or kill -9,
 * start it with a given environment. It runs the project's own server.xml and the built WAR,
 * exactly as {@code ./mvnw liberty:run} does, from the runtime the build installed.
 */
final class LibertyServer implements ServerProcess {

    final String name;
    final int port;
    final Path dir;
    private final Process process;

    private LibertyServer(String name, int port, Path dir, Process process) {
        this.name = name;
        this.port = port;
        this.dir = dir;
        this.process = process;
    }

    /** Creates usr/servers/{name} afresh and starts it in the foreground; does not wait for it. */
    static LibertyServer launch(String name, Map<String, String> env) throws IOException {
        Path wlp = Path.of(System.getProperty("it.wlpHome", "target/liberty/wlp"));
        Path dir = wlp.resolve("usr/servers").resolve(name);
        deleteTree(dir);
        Files.createDirectories(dir.resolve("apps"));
        Files.copy(Path.of(System.getProperty("it.serverXml", "server.xml")), dir.resolve("server.xml"));
        Files.copy(Path.of(System.getProperty("it.war", "target/lanscape-signaling.war")),
                dir.resolve("apps/lanscape-signaling.war"));
        int port = freePort();
        ProcessBuilder builder = new ProcessBuilder(wlp.resolve("bin/server").toString(), "run", name)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("console.log").toFile());
        builder.environment().put("PORT", String.valueOf(port));
        builder.environment().putAll(env);
        return new LibertyServer(name, port, dir, builder.start());
    }

    /** Launches and waits until /health/ready answers 200. */
    static LibertyServer start(String name, Map<String, String> env) throws IOException, InterruptedException {
        LibertyServer server = launch(name, env);
        server.requireReady(name, Duration.ofSeconds(120));
        return server;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public Path log() {
        return dir.resolve("logs/messages.log");
    }

    /** The JVM itself: `server run` may or may not exec it in place of the script. */
    ProcessHandle jvm() {
        return process.descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("java")).orElse(false))
                .findFirst().orElse(process.toHandle());
    }

    @Override
    public long pid() {
        return jvm().pid();
    }

    @Override
    public boolean isAlive() {
        return process.isAlive() && jvm().isAlive();
    }

    @Override
    public void sigterm() {
        jvm().destroy();
    }

    @Override
    public void kill9() {
        jvm().destroyForcibly();
    }

    @Override
    public boolean awaitExit(Duration max) throws InterruptedException {
        ProcessHandle jvm = jvm();
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (!jvm.isAlive() && !process.isAlive()) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            jvm().destroyForcibly();
            process.destroyForcibly();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
