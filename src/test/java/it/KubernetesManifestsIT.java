package it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yaml.snakeyaml.Yaml;

import java.io.Reader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/kubernetes, parsed as Kubernetes reads it, checked against the server: the probes' paths
 * answer 200 on the running WAR, the port is the server's, every setting in the ConfigMap is a
 * documented one, the secrets it names exist, Redis is where the URL says, the grace period covers
 * the drain; the Operator's OpenLibertyApplication says the same.
 */
@ExtendWith(ArquillianExtension.class)
class KubernetesManifestsIT {

    private static final Map<String, String> PROBES = Map.of("startup", "/health/started", "liveness", "/health/live",
            "readiness", "/health/ready");
    private static final List<Map<String, Object>> MANIFESTS = new ArrayList<>();

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.builtWar();
    }

    @ArquillianResource
    URL base;

    @BeforeAll
    static void parse() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("deploy/kubernetes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (Reader reader = Files.newBufferedReader(file)) {
                    for (Object document : new Yaml().loadAll(reader)) {
                        if (document != null) {
                            MANIFESTS.add(map(document));
                        }
                    }
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        return (List<Object>) value;
    }

    private static Object at(Object node, String... path) {
        Object current = node;
        for (String key : path) {
            current = current instanceof Map<?, ?> m ? m.get(key) : null;
        }
        return current;
    }

    private static Map<String, Object> manifest(String kind, String name) {
        return MANIFESTS.stream().filter(m -> kind.equals(m.get("kind")) && name.equals(at(m, "metadata", "name")))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    private int status(String path) throws Exception {
        URI root = URI.create(base.toString()).resolve("/");
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(root.resolve(path.substring(1))).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static int serverPort() throws Exception {
        Matcher port = Pattern.compile("<variable name=\"PORT\" defaultValue=\"(\\d+)\"").matcher(Files.readString(Path.of("server.xml")));
        assertTrue(port.find());
        return Integer.parseInt(port.group(1));
    }

    private static Set<String> documentedVariables() throws Exception {
        Matcher rows = Pattern.compile("\\| `(SIGNALING_[A-Z0-9_]+)` \\|").matcher(Files.readString(Path.of("docs/configuration.md")));
        Set<String> names = new java.util.HashSet<>();
        while (rows.find()) {
            names.add(rows.group(1));
        }
        return names;
    }

    @Test
    void theDeploymentsProbesAnswerOnTheServerAtItsPort() throws Exception {
        Map<String, Object> container = map(list(at(manifest("Deployment", "signaling"), "spec", "template", "spec",
                "containers")).get(0));
        Map<String, Object> port = map(list(container.get("ports")).get(0));
        assertEquals(serverPort(), port.get("containerPort"));
        for (Map.Entry<String, String> probe : PROBES.entrySet()) {
            Map<String, Object> get = map(at(container, probe.getKey() + "Probe", "httpGet"));
            assertEquals(probe.getValue(), get.get("path"), probe.getKey());
            assertEquals(port.get("name"), get.get("port"), probe.getKey() + " on the container's port");
            assertEquals(200, status(probe.getValue()), probe.getValue() + " answers on the server");
        }
        Map<String, Object> service = manifest("Service", "signaling");
        assertEquals(port.get("name"), at(list(at(service, "spec", "ports")).get(0), "targetPort"));
        assertEquals(at(manifest("Deployment", "signaling"), "spec", "selector", "matchLabels"), at(service, "spec", "selector"));
        assertEquals("signaling", at(manifest("HorizontalPodAutoscaler", "signaling"), "spec", "scaleTargetRef", "name"));
    }

    @Test
    void settingsAreDocumentedSecretsExistAndRedisIsWhereTheUrlSays() throws Exception {
        Map<String, Object> config = map(at(manifest("ConfigMap", "signaling-config"), "data"));
        Set<String> documented = documentedVariables();
        for (String key : config.keySet()) {
            assertTrue(documented.contains(key), key + " is a documented setting (docs/configuration.md)");
        }
        Map<String, Object> secrets = map(at(manifest("Secret", "signaling-secrets"), "stringData"));
        for (Map<String, Object> workload : List.of(manifest("Deployment", "signaling"), manifest("OpenLibertyApplication", "signaling"))) {
            Object envHolder = workload.get("kind").equals("Deployment")
                    ? map(list(at(workload, "spec", "template", "spec", "containers")).get(0)) : at(workload, "spec");
            List<Object> env = list(at(envHolder, "env"));
            Set<String> fromSecrets = env.stream().map(KubernetesManifestsIT::map)
                    .filter(e -> at(e, "valueFrom", "secretKeyRef") != null).map(e -> {
                        assertEquals("signaling-secrets", at(e, "valueFrom", "secretKeyRef", "name"));
                        String key = (String) at(e, "valueFrom", "secretKeyRef", "key");
                        assertTrue(secrets.containsKey(key), key + " is in the Secret");
                        assertTrue(documented.contains((String) e.get("name")), e.get("name") + " is documented");
                        return (String) e.get("name");
                    }).collect(Collectors.toSet());
            assertEquals(Set.of("SIGNALING_AUTH_JWT_SECRET", "SIGNALING_TURN_SECRET"), fromSecrets, "secrets only from the Secret");
            assertEquals("signaling-config", at(list(at(envHolder, "envFrom")).get(0), "configMapRef", "name"));
        }
        URI redis = URI.create((String) config.get("SIGNALING_REDIS_URL"));
        Map<String, Object> redisService = manifest("Service", redis.getHost());
        assertEquals(redis.getPort(), at(list(at(redisService, "spec", "ports")).get(0), "port"));
    }

    @Test
    void theGracePeriodCoversThePreStopPauseTheDrainAndLibertysStop() throws Exception {
        Map<String, Object> pod = map(at(manifest("Deployment", "signaling"), "spec", "template", "spec"));
        Map<String, Object> container = map(list(pod.get("containers")).get(0));
        String preStop = String.join(" ", list(at(container, "lifecycle", "preStop", "exec", "command")).stream()
                .map(String::valueOf).toList());
        Matcher sleep = Pattern.compile("sleep (\\d+)").matcher(preStop);
        int pause = sleep.find() ? Integer.parseInt(sleep.group(1)) : 0;
        String drain = (String) map(at(manifest("ConfigMap", "signaling-config"), "data")).get("SIGNALING_SHUTDOWN_DRAIN_TIMEOUT");
        assertTrue(drain.endsWith("s"), drain);
        int drainSeconds = Integer.parseInt(drain.substring(0, drain.length() - 1));
        int grace = (Integer) pod.get("terminationGracePeriodSeconds");
        assertTrue(grace >= pause + drainSeconds + 10, "grace " + grace + " s >= preStop " + pause + " + drain "
                + drainSeconds + " + 10 s for Liberty's stop");
    }

    @Test
    void theOperatorsApplicationHasTheSameProbesAndPort() throws Exception {
        Map<String, Object> spec = map(at(manifest("OpenLibertyApplication", "signaling"), "spec"));
        assertEquals(serverPort(), at(spec, "service", "port"));
        for (Map.Entry<String, String> probe : PROBES.entrySet()) {
            assertEquals(probe.getValue(), at(spec, "probes", probe.getKey(), "httpGet", "path"), probe.getKey());
            assertEquals(serverPort(), at(spec, "probes", probe.getKey(), "httpGet", "port"), probe.getKey());
        }
        assertEquals("apps.openliberty.io/v1", manifest("OpenLibertyApplication", "signaling").get("apiVersion"));
    }
}
