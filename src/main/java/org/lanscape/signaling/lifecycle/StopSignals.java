package org.lanscape.signaling.lifecycle;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.HashMap;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * SIGTERM and SIGINT, taken before the JVM turns them into its shutdown: the runtime's own
 * shutdown hook (Liberty's, Payara's) would otherwise start beside the drain and drop open
 * WebSockets while their queues flush. The handler drains first and then exits as the signal
 * would have, which runs every shutdown hook as before. Where the JDK does not offer
 * {@code sun.misc.Signal} (it is in {@code jdk.unsupported}), nothing is installed and the
 * shutdown hook alone drains, racing the runtime's.
 */
final class StopSignals {

    private static final Logger LOG = Logger.getLogger(StopSignals.class.getName());
    private static final String[] NAMES = {"TERM", "INT"};

    private final Map<String, SignalHandler> previous = new HashMap<>();

    /** {@code onSignal} gets the signal's number; it runs on the JVM's signal thread. */
    synchronized void install(IntConsumer onSignal) {
        for (String name : NAMES) {
            try {
                previous.put(name, Signal.handle(new Signal(name), signal -> onSignal.accept(signal.getNumber())));
            } catch (IllegalArgumentException | LinkageError | SecurityException e) {
                // the signal is in use (-Xrs, a debugger) or the JDK has no sun.misc.Signal
                LOG.log(Level.FINE, "graceful shutdown: SIG" + name + " is not ours to handle; the shutdown hook drains", e);
            }
        }
    }

    /** The application stops without the JVM (a redeploy): the JVM's handlers come back. */
    synchronized void uninstall() {
        previous.forEach((name, handler) -> {
            try {
                Signal.handle(new Signal(name), handler);
            } catch (IllegalArgumentException | LinkageError | SecurityException e) {
                LOG.log(Level.FINE, "graceful shutdown: could not give SIG" + name + " back", e);
            }
        });
        previous.clear();
    }
}
