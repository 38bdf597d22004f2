package it;

import org.junit.jupiter.api.Test;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No Docker engine runs here, so the image cannot be built in the tests. This reads the Dockerfile
 * as Docker does (instructions, continuation lines, stages) and checks what can be checked: every
 * COPY from the build context names files that exist and that .dockerignore lets through; every
 * COPY from another stage names a file that stage has (copied into it, or built by its RUN); the
 * final stage is the Liberty image, running as a non-root user on port 8081 with JSON logs.
 */
class DockerfileIT {

    private record Instruction(String keyword, String arguments) {
    }

    private record Stage(String image, String name, List<Instruction> instructions) {
    }

    private static List<Stage> stages() throws Exception {
        List<Stage> stages = new ArrayList<>();
        StringBuilder logical = new StringBuilder();
        for (String raw : Files.readAllLines(Path.of("Dockerfile"))) {
            String line = raw.strip();
            if (logical.isEmpty() && (line.isEmpty() || line.startsWith("#"))) {
                continue;
            }
            if (line.endsWith("\\")) {
                logical.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            logical.append(line);
            String[] parts = logical.toString().strip().split("\\s+", 2);
            logical.setLength(0);
            Instruction instruction = new Instruction(parts[0].toUpperCase(), parts.length > 1 ? parts[1] : "");
            if (instruction.keyword().equals("FROM")) {
                String[] from = instruction.arguments().split("\\s+");
                stages.add(new Stage(from[0], from.length == 3 && from[1].equalsIgnoreCase("AS") ? from[2] : null,
                        new ArrayList<>()));
            } else {
                stages.get(stages.size() - 1).instructions().add(instruction);
            }
        }
        return stages;
    }

    /** COPY's sources and destination, without its --flags; and the --from stage, or null. */
    private record Copy(String from, List<String> sources, String destination) {
        static Copy of(String arguments) {
            List<String> words = new ArrayList<>(Arrays.asList(arguments.split("\\s+")));
            String from = null;
            while (!words.isEmpty() && words.get(0).startsWith("--")) {
                String flag = words.remove(0);
                if (flag.startsWith("--from=")) {
                    from = flag.substring("--from=".length());
                }
            }
            return new Copy(from, words.subList(0, words.size() - 1), words.get(words.size() - 1));
        }
    }

    /** .dockerignore's rules, the last that matches wins. */
    private static boolean ignored(String path) throws Exception {
        boolean ignored = false;
        for (String rule : Files.readAllLines(Path.of(".dockerignore"))) {
            rule = rule.strip();
            if (rule.isEmpty() || rule.startsWith("#")) {
                continue;
            }
            boolean exception = rule.startsWith("!");
            String pattern = exception ? rule.substring(1) : rule;
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
            Path candidate = Path.of(path);
            for (Path prefix = candidate; prefix != null; prefix = prefix.getParent()) {
                if (matcher.matches(prefix)) { // a rule on a directory covers what is in it
                    ignored = !exception;
                    break;
                }
            }
        }
        return ignored;
    }

    @Test
    void everyCopyFromTheContextExistsAndIsNotIgnored() throws Exception {
        int checked = 0;
        for (Stage stage : stages()) {
            for (Instruction instruction : stage.instructions()) {
                if (!instruction.keyword().equals("COPY")) {
                    continue;
                }
                Copy copy = Copy.of(instruction.arguments());
                if (copy.from() != null) {
                    continue;
                }
                for (String source : copy.sources()) {
                    Path path = Path.of(source);
                    assertTrue(Files.exists(path), "COPY source " + source + " exists in the build context");
                    List<Path> files;
                    try (Stream<Path> walk = Files.walk(path)) {
                        files = walk.filter(Files::isRegularFile).toList();
                    }
                    assertFalse(files.isEmpty(), source + " has files");
                    assertTrue(files.stream().anyMatch(f -> {
                        try {
                            return !ignored(f.toString());
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }), source + " is let through .dockerignore");
                    checked++;
                }
            }
        }
        assertTrue(checked >= 5, "mvnw, pom.xml, .mvn, src, server.xml: " + checked);
        assertTrue(ignored("target/lanscape-signaling.war"), "a local build's output never enters the context");
        assertTrue(ignored("src/test/js/node_modules/ws/index.js"), "nor node_modules");
        assertFalse(ignored("src/main/java/org/lanscape/signaling/protocol/ClientMessage.java"));
    }

    @Test
    void theWarComesFromTheBuildStageWhichBuildsIt() throws Exception {
        List<Stage> stages = stages();
        assertEquals(2, stages.size(), "a build stage and the runtime stage");
        Stage build = stages.get(0);
        assertEquals("build", build.name());
        assertTrue(build.instructions().stream().anyMatch(i -> i.keyword().equals("RUN")
                && i.arguments().contains("./mvnw") && i.arguments().contains("package")), "the build stage packages the WAR");
        String workdir = build.instructions().stream().filter(i -> i.keyword().equals("WORKDIR"))
                .reduce((first, second) -> second).orElseThrow().arguments();
        List<Copy> fromBuild = stages.get(1).instructions().stream().filter(i -> i.keyword().equals("COPY"))
                .map(i -> Copy.of(i.arguments())).filter(c -> "build".equals(c.from())).toList();
        assertEquals(1, fromBuild.size(), "the WAR, from the build stage");
        assertEquals(List.of(workdir + "/target/lanscape-signaling.war"), fromBuild.get(0).sources(),
                "the file the package goal writes (pom.xml: finalName is the artifactId)");
        assertEquals("/config/apps/lanscape-signaling.war", fromBuild.get(0).destination());
        String pom = Files.readString(Path.of("pom.xml"));
        assertTrue(pom.contains("<finalName>${project.artifactId}</finalName>") && pom.contains("<artifactId>lanscape-signaling</artifactId>"));
    }

    @Test
    void theRuntimeStageIsLibertyRunningAsNonRootOnPort8081WithJsonLogs() throws Exception {
        Stage runtime = stages().get(stages().size() - 1);
        String liberty = java.util.regex.Pattern.compile("<liberty.runtime.version>([^<]+)<")
                .matcher(Files.readString(Path.of("pom.xml"))).results().findFirst().orElseThrow().group(1);
        assertEquals("icr.io/appcafe/open-liberty:" + liberty + "-kernel-slim-java25-openj9-ubi-minimal", runtime.image(),
                "the Liberty release the tests run on, pinned");
        for (Stage stage : stages()) {
            assertTrue(stage.image().matches("[^:]+:[^:]*\\d+\\.\\d+[^:]*") && !stage.image().endsWith(":latest"),
                    "a base image pinned to a release: " + stage.image());
        }
        List<String> keywords = runtime.instructions().stream().map(i -> i.keyword() + " " + i.arguments()).toList();
        assertTrue(keywords.contains("RUN features.sh") && keywords.contains("RUN configure.sh"));
        assertTrue(keywords.contains("USER 1001"));
        assertFalse(keywords.stream().anyMatch(k -> k.equals("USER root") || k.equals("USER 0")));
        assertTrue(keywords.contains("EXPOSE 8081"));
        String env = runtime.instructions().stream().filter(i -> i.keyword().equals("ENV")).map(Instruction::arguments)
                .reduce("", String::concat);
        assertTrue(env.contains("WLP_LOGGING_CONSOLE_FORMAT=JSON") && env.contains("MaxRAMPercentage"), env);
        assertTrue(runtime.instructions().stream().anyMatch(i -> i.keyword().equals("LABEL")
                && i.arguments().contains("org.opencontainers.image.title")));
    }
}
