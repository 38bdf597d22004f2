package org.lanscape.signaling.load;

import java.util.Arrays;
import java.util.Locale;

/** Latency samples in nanoseconds; nearest-rank percentiles in milliseconds. */
final class Percentiles {

    private long[] samples = new long[1024];
    private int count;

    synchronized void add(long nanos) {
        if (count == samples.length) {
            samples = Arrays.copyOf(samples, count * 2);
        }
        samples[count++] = nanos;
    }

    synchronized int count() {
        return count;
    }

    synchronized String json() {
        if (count == 0) {
            return "{\"n\":0}";
        }
        long[] sorted = Arrays.copyOf(samples, count);
        Arrays.sort(sorted);
        double sum = 0;
        for (long s : sorted) {
            sum += s;
        }
        return String.format(Locale.ROOT, "{\"n\":%d,\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"max\":%.3f,\"mean\":%.3f}",
                count, ms(sorted, 0.50), ms(sorted, 0.90), ms(sorted, 0.99), sorted[count - 1] / 1e6, sum / count / 1e6);
    }

    private static double ms(long[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, rank)] / 1e6;
    }
}
