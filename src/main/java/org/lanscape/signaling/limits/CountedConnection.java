package org.lanscape.signaling.limits;

import com.github.f4b6a3.ulid.UlidCreator;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * One connection's place in its token subject's count ({@link UserConnections}): given back once,
 * when the connection ends, even when it ended while it was being counted.
 */
public final class CountedConnection {

    private final AtomicReference<Runnable> release = new AtomicReference<>();

    /** Counts the connection; false when its subject may have no more. {@code ended}: whether the connection closed meanwhile. */
    public boolean open(UserConnections users, String subject, BooleanSupplier ended) {
        String id = UlidCreator.getUlid().toString();
        if (!users.open(subject, id)) {
            return false;
        }
        release.set(() -> users.close(subject, id));
        if (ended.getAsBoolean()) {
            close(); // the close came before there was anything to give back
        }
        return true;
    }

    /** The connection ended (its onClose): its place goes back, if it had one. */
    public void close() {
        Runnable r = release.getAndSet(null);
        if (r != null) {
            r.run();
        }
    }
}
