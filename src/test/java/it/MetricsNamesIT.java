package it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Grafana dashboard and the Prometheus alert rules name only metrics the server exports: every
 * {@code signaling_*} (and {@code memory_*}) name in their queries is a series of a real scrape
 * (after one connection, one refused handshake and one failed resume, so that the labelled counters
 * exist); {@code promtool check rules} accepts the rules, and {@code promtool test rules} fires each
 * alert on its series (deploy/prometheus/signaling-rules.test.yaml).
 */
@ExtendWith(ArquillianExtension.class)
class MetricsNamesIT {

    /** The server's own metrics, and the runtime's heap metrics the rules use. */
    private static final Pattern NAME = Pattern.compile("\\b(?:signaling|memory)_[A-Za-z_]+");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.builtWar();
    }

    @ArquillianResource
    URL base;

    private static Set<String> namesIn(Path file) throws Exception {
        Matcher names = NAME.matcher(Files.readString(file));
        Set<String> found = new TreeSet<>();
        while (names.find()) {
            found.add(names.group());
        }
        return found;
    }

    @Test
    void everyMetricTheDashboardAndTheRulesNameIsExported() throws Exception {
        String topic = "metrics-" + UUID.randomUUID();
        try (WsClient client = WsClient.connect(Deployments.wsBase(base), topic)) {
            client.next("peer-list");
        }
        try (WsClient stranger = WsClient.connect(Deployments.wsBase(base), topic + "?resume=not.a-token")) {
            assertEquals("resume_failed", stranger.await("error").getString("code"));
        }
        assertEquals(400, HTTP.send(HttpRequest.newBuilder(URI.create(Deployments.httpBase(base) + "ws/bad%20topic")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
        String scrape = HTTP.send(HttpRequest.newBuilder(URI.create(base.toString()).resolve("/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        Set<String> exported = scrape.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toSet());

        Set<String> named = new TreeSet<>(namesIn(Path.of("deploy/grafana/lanscape-signaling.json")));
        named.addAll(namesIn(Path.of("deploy/prometheus/signaling-rules.yaml")));
        assertTrue(named.size() >= 12, "the dashboard and the rules name metrics: " + named);
        Set<String> missing = new TreeSet<>(named);
        missing.removeAll(exported);
        assertTrue(missing.isEmpty(), "named but not exported: " + missing + "\nexported: " + new TreeSet<>(exported));
    }

    @Test
    void everyAlertFiresOnItsSeriesAndNoneOnAQuietNode() throws Exception {
        Process promtool = new ProcessBuilder("promtool", "test", "rules", "signaling-rules.test.yaml")
                .directory(Path.of("deploy/prometheus").toFile()).redirectErrorStream(true).start();
        String output = new String(promtool.getInputStream().readAllBytes());
        assertTrue(promtool.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, promtool.exitValue(), output);
        String rules = Files.readString(Path.of("deploy/prometheus/signaling-rules.yaml"));
        String tests = Files.readString(Path.of("deploy/prometheus/signaling-rules.test.yaml"));
        Matcher alerts = Pattern.compile("- alert: (\\w+)").matcher(rules);
        while (alerts.find()) {
            assertTrue(tests.contains("alertname: " + alerts.group(1)), alerts.group(1) + " has a test");
        }
    }

    @Test
    void promtoolAcceptsTheRules() throws Exception {
        Process promtool = new ProcessBuilder("promtool", "check", "rules", "deploy/prometheus/signaling-rules.yaml")
                .redirectErrorStream(true).start();
        String output = new String(promtool.getInputStream().readAllBytes());
        assertTrue(promtool.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, promtool.exitValue(), output);
        assertTrue(output.contains("SUCCESS"), output);
    }
}
