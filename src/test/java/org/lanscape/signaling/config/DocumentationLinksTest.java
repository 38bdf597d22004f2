package org.lanscape.signaling.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** README stays short, and every relative link in README.md and docs/ leads to a file and a heading that exist. */
class DocumentationLinksTest {

    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6} (.+)$", Pattern.MULTILINE);

    @Test
    void readmeIsShort() throws IOException {
        long size = Files.size(Path.of("README.md"));
        assertTrue(size <= 12 * 1024, "README.md is " + size + " bytes: the rest belongs in docs/");
    }

    @Test
    void everyRelativeLinkResolves() throws IOException {
        List<Path> files = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).forEach(files::add);
        }
        List<String> broken = new ArrayList<>();
        int links = 0;
        for (Path file : files) {
            Matcher link = LINK.matcher(Files.readString(file));
            while (link.find()) {
                String target = link.group(1);
                if (target.matches("^[a-z]+:.*")) {
                    continue; // http:, https:, mailto:
                }
                links++;
                int hash = target.indexOf('#');
                String path = hash < 0 ? target : target.substring(0, hash);
                Path resolved = path.isEmpty() ? file : file.toAbsolutePath().getParent().resolve(path).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(file + ": " + target + " (no such file)");
                } else if (hash >= 0 && !anchors(resolved).contains(target.substring(hash + 1))) {
                    broken.add(file + ": " + target + " (no such heading)");
                }
            }
        }
        assertTrue(links >= 20, "links checked: " + links);
        assertTrue(broken.isEmpty(), "broken links:\n" + String.join("\n", broken));
    }

    /** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens. */
    private static Set<String> anchors(Path markdown) throws IOException {
        Set<String> anchors = new HashSet<>();
        boolean fence = false;
        for (String line : Files.readAllLines(markdown)) {
            if (line.startsWith("```")) {
                fence = !fence;
            }
            Matcher heading = HEADING.matcher(line);
            if (!fence && heading.matches()) {
                anchors.add(heading.group(1).trim().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}\\- _]", "")
                        .replace(' ', '-'));
            }
        }
        return anchors;
    }
}
