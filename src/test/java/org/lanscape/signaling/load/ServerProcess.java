package org.lanscape.signaling.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** RSS and CPU time of the server process, from /proc (Linux), when its pid is given. */
record ServerProcess(long pid) {

    long rssKb() {
        if (pid <= 0) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    /** User + system CPU time in milliseconds (clock ticks of 10 ms). */
    long cpuMillis() {
        if (pid <= 0) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Heap in use after a full GC (jcmd GC.heap_info after GC.run), in KB; -1 without a pid or jcmd. */
    long heapUsedKb() {
        if (pid <= 0) {
            return -1;
        }
        try {
            new ProcessBuilder("jcmd", String.valueOf(pid), "GC.run").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            Process info = new ProcessBuilder("jcmd", String.valueOf(pid), "GC.heap_info").redirectErrorStream(true).start();
            String out = new String(info.getInputStream().readAllBytes());
            java.util.regex.Matcher used = java.util.regex.Pattern.compile("used (\\d+)K").matcher(out);
            return used.find() ? Long.parseLong(used.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
