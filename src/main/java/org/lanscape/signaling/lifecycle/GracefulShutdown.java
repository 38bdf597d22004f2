package org.lanscape.signaling.lifecycle;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.lanscape.signaling.cluster.ClusterBus;
import org.lanscape.signaling.config.SignalingConfig;
import org.lanscape.signaling.session.Peer;
import org.lanscape.signaling.topic.TopicRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * SIGTERM/SIGINT: readiness goes DOWN and new connections are refused at once, queued messages
 * get up to the drain timeout to flush, then every peer is closed with 1001 (going away).
 * <p>
 * In cluster mode a resumable session is handed over instead: its client is closed with 1012
 * (service restart) and the peer is held as after a lost connection; the client resumes on another
 * node, which claims the session from this one (the resume path between nodes: same id, the
 * relays held meanwhile, nobody sees it leave). The node waits for those claims within the drain
 * timeout, and a little longer for relays still on their way here, which it sends on; a session
 * nobody claimed by then is parked in Redis for the rest of the grace period, where a resume on
 * any node takes it (and if Redis does not take it, it leaves).
 * <p>
 * SIGTERM and SIGINT are taken by {@link StopSignals} before the JVM begins its shutdown: the
 * drain runs first, and the process then exits as the signal would have.
 * It must come first: the runtime's own shutdown hook drops open WebSockets without a close
 * frame a few tens of milliseconds after it starts (Liberty's quiesce, Payara's stop), and does
 * not wait for the application's threads. A stop that comes without a signal ({@code server
 * stop}) drains in a JVM shutdown hook instead, beside the runtime's: the JVM waits for it before
 * it exits, but the runtime may drop a connection whose queue is still flushing.
 */
@ApplicationScoped
public class GracefulShutdown {

    /** Close code every peer gets on shutdown. */
    public static final int GOING_AWAY = 1001;
    /** Close code of a resumable peer whose session another node can take: come back at once. */
    public static final int SERVICE_RESTART = 1012;
    /** After the last hand-over: relays sent here before their sender heard of the move are sent on meanwhile. */
    private static final long HAND_OVER_LINGER_MILLIS = 500;
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
    private final StopSignals signals = new StopSignals();

    void install() {
        hook = new Thread(this::run, "signaling-graceful-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        signals.install(this::onStopSignal);
    }

    /**
     * SIGTERM or SIGINT, before the JVM's shutdown began: drain on this thread while nothing else
     * stops, then exit with the status the signal would have given, which runs the shutdown hooks.
     */
    void onStopSignal(int signal) {
        try {
            run(); // a second signal waits here for the first one's drain
        } finally {
            Runtime.getRuntime().exit(128 + signal); // whatever the drain did: a stop signal stops
        }
    }

    /** The application is stopped without the JVM (a redeploy): the hook must not outlive it. */
    @PreDestroy
    void uninstall() {
        signals.uninstall();
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook is running or has run
            }
        }
    }

    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile boolean hookStarted;
    private final java.util.concurrent.CountDownLatch drained = new java.util.concurrent.CountDownLatch(1);

    /** Waits, at most the drain timeout and a little, for a drain that has begun; returns at once otherwise. */
    public void awaitDrained() {
        if (!hookStarted) {
            return;
        }
        try {
            drained.await(config.drainTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Drains on a server thread, which has the application's context, or on this one if the server takes no task. */
    void run() {
        hookStarted = true;
        // The signal's thread and the JVM's hook have no context class loader: Payara's executor
        // refuses a task submitted from such a thread, and the closes need one too.
        Thread.currentThread().setContextClassLoader(GracefulShutdown.class.getClassLoader());
        long limit = config.drainTimeout().toMillis() + 5_000;
        try {
            Future<?> drained;
            try {
                drained = executor.submit(this::drain);
            } catch (RuntimeException notTaken) { // stopped, or it cannot take a task from this thread
                drain();
                return;
            }
            drained.get(limit, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warning(() -> "shutdown drain did not finish: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void drain() {
        if (!draining.compareAndSet(false, true)) {
            awaitDrained(); // another thread drains: this one goes on when it is done
            return;
        }
        try {
            drainPeers();
        } finally {
            drained.countDown();
        }
    }

    private void drainPeers() {
        long start = System.nanoTime();
        long deadline = start + config.drainTimeout().toNanos();
        lifecycle.drain();
        LOG.info(() -> "shutting down: draining " + registry.topics().peerCount() + " peers, "
                + registry.topics().queuedFrames() + " queued messages, for at most " + config.drainTimeout());
        while (registry.topics().busyPeers() > 0 && System.nanoTime() < deadline) {
            sleep(10);
        }
        List<Runnable> closes = new ArrayList<>();
        List<Peer> peers = new ArrayList<>();
        registry.topics().forEachPeer(peers::add);
        boolean handOver = bus.canHandOver();
        String restart = "server restarting: resume on another node within " + reconnectWindowMillis(peers.size()) + " ms";
        List<Peer> released = new CopyOnWriteArrayList<>();
        List<Peer> awayBefore = new CopyOnWriteArrayList<>(); // connections lost before the stop: parked, not waited for
        // Close frames first: Liberty's own shutdown runs beside this hook and drops what is still open.
        peers.forEach(peer -> closes.add(() -> {
            if (handOver && registry.sessions().releaseForHandOver(peer, SERVICE_RESTART, restart)) {
                released.add(peer);
            } else if (handOver && peer.isAway()) {
                awayBefore.add(peer);
            } else {
                registry.sessions().shutDown(peer, GOING_AWAY, "server shutting down");
            }
        }));
        // Closing writes a frame, which can block on a stuck client: in parallel, and bounded.
        ExecutorService closers = Executors.newFixedThreadPool(Math.max(1, Math.min(8, closes.size())), r -> {
            Thread t = new Thread(r, "signaling-shutdown-close");
            t.setDaemon(true);
            t.setContextClassLoader(GracefulShutdown.class.getClassLoader()); // @OnClose's metrics need it
            return t;
        });
        closes.forEach(closers::execute);
        closers.shutdown();
        try {
            closers.awaitTermination(Math.max(1_000_000_000L, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int handedOver = released.isEmpty() ? 0 : awaitHandOvers(released, deadline);
        int[] parked = {0};
        int[] left = {0};
        try {
            for (Peer peer : Stream.concat(released.stream(), awayBefore.stream()).toList()) {
                if (peer.isAway()) { // not claimed in time: parked in Redis for a resume after this node is gone
                    (registry.sessions().park(peer) ? parked : left)[0]++;
                }
            }
            for (Peer peer : peers) { // in cluster mode the other nodes hear of it now, not after a TTL
                if (peer.session().movedTo() == null) { // one moving to another node (a claim still finishing) is not ours to end
                    registry.leave(peer);
                }
            }
            bus.stop();
        } catch (IllegalStateException containerGone) {
            // Liberty's own shutdown, beside this one, stopped the application first: CDI disposes the bus
            LOG.fine(() -> "shutdown: the application stopped before its peers were removed: " + containerGone);
        }
        int closed = closes.size() - released.size() - awayBefore.size();
        LOG.info(() -> "shutdown: " + closed + " peers closed with 1001, " + handedOver + " handed over to other nodes, "
                + parked[0] + " parked in Redis, " + left[0] + " left, after "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
    }

    /**
     * The window in which the clients closed with 1012 should come back (the client library picks a
     * random moment in it): long enough for the other nodes to take them at the reconnect rate, at
     * least 250 ms, at most half the grace period, so that they come back before their sessions expire.
     */
    long reconnectWindowMillis(int sessions) {
        long window = Math.max(250, sessions * 1000L / config.reconnectRate());
        return Math.min(window, Math.max(250, config.resumeGrace().toMillis() / 2));
    }

    /**
     * Waits until every released session was claimed by another node (or left), or the deadline;
     * then lingers briefly, for relays already on their way here to be sent on. Returns how many moved.
     */
    private int awaitHandOvers(List<Peer> released, long deadline) {
        while (released.stream().anyMatch(Peer::isAway) && System.nanoTime() < deadline) {
            sleep(10);
        }
        int moved = (int) released.stream().filter(peer -> peer.session().movedTo() != null).count();
        if (moved > 0) {
            sleep(Math.min(HAND_OVER_LINGER_MILLIS, Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
        }
        return moved;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
