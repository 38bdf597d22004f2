package it;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Thread dumps of a server JVM the tests started (jcmd of the JDK running the tests). */
final class ThreadDumps {

    private ThreadDumps() {
    }

    /** The full dump; its threads are separated by blank lines. */
    static String of(long pid) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process process = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), "Thread.print")
                .redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0 || !out.contains("Full thread dump")) {
            throw new IllegalStateException("no thread dump of " + pid + ": " + out);
        }
        return out;
    }

    /** The stacks of the dump's threads that run the application's or the WebSocket container's code. */
    static String applicationThreads(long pid) {
        try {
            StringBuilder stacks = new StringBuilder();
            for (String thread : of(pid).split("\n\n")) {
                if (thread.contains("org.lanscape.signaling") || thread.contains("com.ibm.ws.wsoc")
                        || thread.contains("org.glassfish.tyrus")) {
                    stacks.append(thread).append("\n\n");
                }
            }
            return stacks.toString();
        } catch (Exception e) {
            return "(no thread dump: " + e + ")";
        }
    }
}
