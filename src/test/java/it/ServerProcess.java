package it;

/** A server process a test starts itself: Liberty ({@link LibertyServer}) or Payara Micro ({@link PayaraServer}). */
interface ServerProcess extends AutoCloseable {

    int port();

    default String httpBase() {
        return "http://127.0.0.1:" + port() + "/";
    }

    default String wsBase() {
        return "ws://127.0.0.1:" + port() + "/";
    }

    @Override
    void close();
}
