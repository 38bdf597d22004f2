package org.lanscape.signaling.lifecycle;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.lanscape.signaling.cluster.ClusterBus;
import org.lanscape.signaling.config.SignalingConfig;
import org.lanscape.signaling.topic.TopicRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * SIGTERM/SIGINT: readiness goes DOWN and new connections are refused at once, queued messages
 * get up to the drain timeout to flush, then every peer is closed with 1001 (going away).
 * <p>
 * This runs as a JVM shutdown hook because that is the only thing that runs early enough: on
 * SIGTERM Liberty quiesces and drops open WebSockets without a close frame (clients see 1006),
 * and {@code @PreDestroy}/{@code @OnClose} run after that. The JVM waits for this hook before it
 * exits, so the close frames are written before the process ends. The drain itself runs on one of
 * the server's own threads: Liberty's quiesce (up to 30 s) waits for those before it stops the
 * application and drops its connections, which it would otherwise do beside the drain.
 */
@ApplicationScoped
public class GracefulShutdown {

    /** Close code every peer gets on shutdown. */
    public static final int GOING_AWAY = 1001;
    private static final Logger LOG = Logger.getLogger(GracefulShutdown.class.getName());

    @Inject
    ServerLifecycle lifecycle;
    @Inject
    TopicRegistry registry;
    @Inject
    SignalingConfig config;
    @Inject
    ClusterBus bus;
    @Resource
    ManagedExecutorService executor;

    private Thread hook;

    void install() {
        hook = new Thread(this::run, "signaling-graceful-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The application is stopped without the JVM (a redeploy): the hook must not outlive it. */
    @PreDestroy
    void uninstall() {
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook is running or has run
            }
        }
    }

    private final AtomicBoolean draining = new AtomicBoolean();

    /** The JVM's shutdown hook: drains on a server thread, or on this one if the server takes no more tasks. */
    void run() {
        long limit = config.drainTimeout().toMillis() + 5_000;
        try {
            Future<?> drained = executor.submit(this::drain);
            drained.get(limit, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException | IllegalStateException e) {
            drain();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warning(() -> "shutdown drain did not finish: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void drain() {
        if (!draining.compareAndSet(false, true)) {
            return;
        }
        long start = System.nanoTime();
        long deadline = start + config.drainTimeout().toNanos();
        lifecycle.drain();
        LOG.info(() -> "shutting down: draining " + registry.peerCount() + " peers, " + registry.queuedFrames()
                + " queued messages, for at most " + config.drainTimeout());
        while (registry.busyPeers() > 0 && System.nanoTime() < deadline) {
            sleep(10);
        }
        List<Runnable> closes = new ArrayList<>();
        List<org.lanscape.signaling.topic.Peer> peers = new ArrayList<>();
        registry.forEachPeer(peers::add);
        // Close frames first: Liberty's own shutdown runs beside this hook and drops what is still open.
        peers.forEach(peer -> closes.add(() -> peer.closeNow(GOING_AWAY, "server shutting down")));
        // Closing writes a frame, which can block on a stuck client: in parallel, and bounded.
        ExecutorService closers = Executors.newFixedThreadPool(Math.max(1, Math.min(8, closes.size())), r -> {
            Thread t = new Thread(r, "signaling-shutdown-close");
            t.setDaemon(true);
            return t;
        });
        closes.forEach(closers::execute);
        closers.shutdown();
        try {
            closers.awaitTermination(Math.max(1_000_000_000L, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            peers.forEach(registry::leave); // in cluster mode the other nodes hear of it now, not after a TTL
            bus.stop();
        } catch (IllegalStateException containerGone) {
            // Liberty's own shutdown, beside this one, stopped the application first: CDI disposes the bus
            LOG.fine(() -> "shutdown: the application stopped before its peers were removed: " + containerGone);
        }
        LOG.info(() -> "shutdown: " + closes.size() + " peers closed with 1001 after "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
