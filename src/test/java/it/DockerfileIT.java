package it;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No Docker engine runs here, so the image cannot be built in the tests: this checks what can be
 * checked after `package`. Every COPY source exists and is not excluded by .dockerignore, the
 * image runs as a non-root user on port 8081 with JSON logs.
 */
class DockerfileIT {

    private static final Pattern COPY = Pattern.compile("^COPY\\s+(?:--\\S+\\s+)*(\\S+)\\s+\\S+\\s*$");

    @Test
    void copySourcesExistAndAreNotIgnored() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("Dockerfile"));
        List<String> ignore = Files.readAllLines(Path.of(".dockerignore")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        int copies = 0;
        for (String line : lines) {
            Matcher m = COPY.matcher(line.trim());
            if (m.matches()) {
                copies++;
                String source = m.group(1);
                assertTrue(Files.exists(Path.of(source)), "COPY source " + source + " exists");
                assertTrue(ignore.contains("!" + source), source + " is let through .dockerignore");
            }
        }
        assertEquals(2, copies, "server.xml and the WAR");
    }

    @Test
    void runsAsNonRootOnPort8081WithJsonLogs() throws Exception {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        assertTrue(dockerfile.contains("FROM icr.io/appcafe/open-liberty:kernel-slim"));
        assertTrue(dockerfile.contains("RUN features.sh") && dockerfile.contains("RUN configure.sh"));
        assertTrue(dockerfile.contains("USER 1001"));
        assertFalse(dockerfile.contains("USER root") || dockerfile.contains("USER 0"));
        assertTrue(dockerfile.contains("EXPOSE 8081"));
        assertTrue(dockerfile.contains("WLP_LOGGING_CONSOLE_FORMAT=JSON"));
        assertTrue(dockerfile.contains("MaxRAMPercentage"));
        assertTrue(dockerfile.contains("org.opencontainers.image.title"));
    }
}
