package it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real redis-server (Debian's package, which .ci/run installs) on a free loopback port, as a
 * child process that the test can stop and start again, empty, on the same port.
 */
final class RedisServer implements AutoCloseable {

    final int port;
    private final Path dir;
    private final java.util.List<String> command;
    private Process process;

    private RedisServer(int port, Path dir, java.util.List<String> command) {
        this.port = port;
        this.dir = dir;
        this.command = command;
    }

    static RedisServer start() throws IOException, InterruptedException {
        return start(new String[0]);
    }

    /** With these further arguments, such as {@code --replicaof 127.0.0.1 <port>}. */
    static RedisServer start(String... arguments) throws IOException, InterruptedException {
        int port = freePort();
        Path dir = Files.createTempDirectory("redis");
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("redis-server", "--port",
                String.valueOf(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString()));
        command.addAll(java.util.List.of(arguments));
        RedisServer redis = new RedisServer(port, dir, command);
        redis.restart();
        return redis;
    }

    /**
     * A node of a Redis Cluster (not yet joined): its cluster bus on a free port of its own, not
     * port + 10000; a failover after 1 s without the master.
     */
    static RedisServer clusterNode() throws IOException, InterruptedException {
        return start("--cluster-enabled", "yes", "--cluster-port", String.valueOf(freePort()),
                "--cluster-node-timeout", "1000", "--cluster-config-file", "nodes.conf");
    }

    /** A Redis Sentinel watching the master on that port as "signaling": down after 1 s, quorum 1. */
    static RedisServer sentinel(int masterPort) throws IOException, InterruptedException {
        int port = freePort();
        Path dir = Files.createTempDirectory("sentinel");
        Path conf = dir.resolve("sentinel.conf"); // Sentinel rewrites its own file: it must be writable
        Files.writeString(conf, String.join("\n", "port " + port, "bind 127.0.0.1", "dir " + dir,
                "sentinel monitor signaling 127.0.0.1 " + masterPort + " 1",
                "sentinel down-after-milliseconds signaling 1000",
                "sentinel failover-timeout signaling 5000",
                "sentinel parallel-syncs signaling 1", ""));
        RedisServer sentinel = new RedisServer(port, dir, java.util.List.of("redis-server", conf.toString(), "--sentinel"));
        sentinel.restart();
        return sentinel;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts it (again): no persistence, so a restart comes back empty. */
    void restart() throws IOException, InterruptedException {
        process = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("redis-server did not start on port " + port);
    }

    /** Runs a command with redis-cli against it; returns what it printed. */
    String cli(String... arguments) throws IOException, InterruptedException {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("redis-cli", "-p", String.valueOf(port)));
        command.addAll(java.util.List.of(arguments));
        Process cli = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(cli.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!cli.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            cli.destroyForcibly();
            throw new IllegalStateException("redis-cli " + arguments[0] + " did not finish");
        }
        return out.strip();
    }

    /** Drops every client connection, commands and Pub/Sub alike, as a Redis blip does. */
    void killClients() throws IOException, InterruptedException {
        cli("CLIENT", "KILL", "TYPE", "normal");
        cli("CLIENT", "KILL", "TYPE", "pubsub");
    }

    int port() {
        return port;
    }

    boolean isRunning() {
        return process != null && process.isAlive();
    }

    void stop() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            stop();
        }
    }
}
