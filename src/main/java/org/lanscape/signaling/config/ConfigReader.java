package org.lanscape.signaling.config;

import org.eclipse.microprofile.config.Config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Reads raw property values and checks them, so that a bad value is reported in one clear line. */
public final class ConfigReader {

    private static final DurationConverter DURATIONS = new DurationConverter();
    private final Config config;

    public ConfigReader(Config config) {
        this.config = config;
    }

    public String string(String name) {
        return raw(name).orElseThrow(() -> new InvalidConfigException(name, null, "is not set"));
    }

    public Optional<String> optional(String name) {
        return raw(name).filter(v -> !v.isBlank());
    }

    public int integer(String name, int min, int max) {
        String value = string(name);
        int parsed;
        try {
            parsed = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new InvalidConfigException(name, value, "is not a whole number");
        }
        if (parsed < min || parsed > max) {
            throw new InvalidConfigException(name, value, "must be between " + min + " and " + max);
        }
        return parsed;
    }

    /** A size in bytes: a whole number, or one with a KiB, MiB or GiB suffix ({@code 64MiB}). */
    public long bytes(String name, long min, long max) {
        return bytes(name, string(name), min, max);
    }

    /** As {@link #bytes}, or {@code auto} for the value given (held within the bounds). */
    public long bytesOrAuto(String name, long min, long max, long auto) {
        String value = string(name);
        return value.equalsIgnoreCase("auto") ? Math.max(min, Math.min(max, auto)) : bytes(name, value, min, max);
    }

    private static long bytes(String name, String value, long min, long max) {
        String number = value.toLowerCase(java.util.Locale.ROOT).replace(" ", "");
        long unit = 1;
        for (String[] suffix : new String[][] {{"kib", "1024"}, {"mib", "1048576"}, {"gib", "1073741824"}}) {
            if (number.endsWith(suffix[0])) {
                unit = Long.parseLong(suffix[1]);
                number = number.substring(0, number.length() - suffix[0].length());
            }
        }
        long parsed;
        try {
            parsed = Math.multiplyExact(Long.parseLong(number), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new InvalidConfigException(name, value, "is not a size in bytes (e.g. 1048576 or 1MiB)");
        }
        if (parsed < min || parsed > max) {
            throw new InvalidConfigException(name, value, "must be between " + min + " and " + max + " bytes");
        }
        return parsed;
    }

    public Duration duration(String name, boolean mustBePositive) {
        String value = string(name);
        Duration parsed;
        try {
            parsed = DURATIONS.convert(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(name, value, "is not a duration (e.g. 100ms, 5s, 2m, PT5S)");
        }
        if (parsed == null || parsed.isNegative() || (mustBePositive && parsed.isZero())) {
            throw new InvalidConfigException(name, value, mustBePositive ? "must be positive" : "must not be negative");
        }
        return parsed;
    }

    public boolean bool(String name) {
        String value = string(name).trim().toLowerCase(java.util.Locale.ROOT);
        return switch (value) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new InvalidConfigException(name, value, "is not true or false");
        };
    }

    /** A comma-separated list; empty when unset. */
    public List<String> list(String name) {
        return optional(name).map(v -> List.of(v.split("\\s*,\\s*"))).orElse(List.of()).stream()
                .filter(s -> !s.isBlank()).toList();
    }

    public <E extends Enum<E>> E choice(String name, Class<E> type) {
        String value = string(name).trim();
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value)) {
                return e;
            }
        }
        throw new InvalidConfigException(name, value, "must be one of " + List.of(type.getEnumConstants()).toString()
                .toLowerCase(java.util.Locale.ROOT));
    }

    private Optional<String> raw(String name) {
        return config.getOptionalValue(name, String.class).map(String::trim);
    }
}
