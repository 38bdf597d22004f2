package org.lanscape.signaling.config;

import org.eclipse.microprofile.config.spi.ConfigSource;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * An optional properties file named by the {@code SIGNALING_CONFIG_FILE} environment variable (or
 * the {@code signaling.config.file} system property). Its ordinal, 250, ranks it below system
 * properties (400) and environment variables (300) and above the defaults in
 * microprofile-config.properties (100). A named file that cannot be read stops startup.
 */
public class FileConfigSource implements ConfigSource {

    public static final String ENV = "SIGNALING_CONFIG_FILE";
    public static final String PROPERTY = "signaling.config.file";
    static final int ORDINAL = 250;

    private final Map<String, String> properties;
    private final String name;

    public FileConfigSource() {
        String file = System.getProperty(PROPERTY, System.getenv(ENV));
        this.name = "signaling config file " + (file == null ? "(none)" : file);
        this.properties = file == null || file.isBlank() ? Map.of() : load(Path.of(file));
    }

    private static Map<String, String> load(Path file) {
        Properties loaded = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            loaded.load(reader);
        } catch (IOException e) {
            throw new IllegalStateException("Invalid configuration: " + ENV + "=" + file + " cannot be read: " + e, e);
        }
        Map<String, String> map = new TreeMap<>();
        loaded.stringPropertyNames().forEach(k -> map.put(k, loaded.getProperty(k).trim()));
        return Map.copyOf(map);
    }

    @Override
    public Set<String> getPropertyNames() {
        return properties.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return properties.get(propertyName);
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public int getOrdinal() {
        return ORDINAL;
    }
}
