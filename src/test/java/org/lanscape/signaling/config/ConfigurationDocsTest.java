package org.lanscape.signaling.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/configuration.md has a row for every signaling.* default, with the same default and environment variable. */
class ConfigurationDocsTest {

    private static final Pattern ROW = Pattern.compile("^\\| `(signaling\\.[a-z0-9.\\-]+)` \\| `([A-Z0-9_]+)` \\| `([^`]*)` \\|");

    @Test
    void everyDefaultHasARowWithTheSameValue() throws IOException {
        Properties defaults = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/META-INF/microprofile-config.properties")) {
            defaults.load(in);
        }
        Map<String, String[]> rows = new HashMap<>();
        for (String line : Files.readAllLines(Path.of("docs/configuration.md"))) {
            Matcher row = ROW.matcher(line);
            if (row.find()) {
                rows.put(row.group(1), new String[] {row.group(2), row.group(3)});
            }
        }
        int checked = 0;
        for (String name : defaults.stringPropertyNames()) {
            if (!name.startsWith("signaling.")) {
                continue;
            }
            String[] row = rows.get(name);
            assertTrue(row != null, name + " has a row in docs/configuration.md");
            assertEquals(name.toUpperCase().replace('.', '_').replace('-', '_'), row[0], name + ": its environment variable");
            assertEquals(defaults.getProperty(name), row[1], name + ": the same default");
            checked++;
        }
        assertTrue(checked >= 29, "read the defaults: " + checked);
    }
}
