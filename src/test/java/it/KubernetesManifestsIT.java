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
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    /** The `kubectl create secret generic signaling-secrets` command of docs/kubernetes.md: the keys it sets. */
    private static Set<String> documentedSecretKeys() throws Exception {
        String docs = Files.readString(Path.of("docs/kubernetes.md"));
        int at = docs.indexOf("kubectl create secret generic signaling-secrets");
        assertTrue(at >= 0, "docs/kubernetes.md creates the Secret from the command line");
        String command = docs.substring(at, docs.indexOf("```", at));
        Matcher keys = Pattern.compile("--from-(?:literal|file)=([A-Z0-9_]+)=").matcher(command);
        Set<String> found = new java.util.HashSet<>();
        while (keys.find()) {
            found.add(keys.group(1));
        }
        return found;
    }

    @Test
    void settingsAreDocumentedAndSecretsComeFromTheSecretTheDocsCreate() throws Exception {
        Map<String, Object> config = map(at(manifest("ConfigMap", "signaling-config"), "data"));
        Set<String> documented = documentedVariables();
        for (String key : config.keySet()) {
            assertTrue(documented.contains(key), key + " is a documented setting (docs/configuration.md)");
        }
        Set<String> secretKeys = documentedSecretKeys();
        assertTrue(secretKeys.containsAll(Set.of("SIGNALING_REDIS_URL", "REDIS_PASSWORD", "SIGNALING_TURN_SECRET")), secretKeys.toString());
        for (String key : secretKeys) {
            assertTrue(documented.contains(key) || key.equals("REDIS_PASSWORD"), key + " is a documented setting");
        }
        for (Map<String, Object> workload : List.of(manifest("Deployment", "signaling"), manifest("OpenLibertyApplication", "signaling"))) {
            Object envHolder = workload.get("kind").equals("Deployment")
                    ? map(list(at(workload, "spec", "template", "spec", "containers")).get(0)) : at(workload, "spec");
            List<Object> from = list(at(envHolder, "envFrom"));
            assertEquals("signaling-config", at(from.get(0), "configMapRef", "name"));
            assertEquals("signaling-secrets", at(from.get(1), "secretRef", "name"),
                    "every key of the Secret, whichever JWT key source it holds (secret, public key or JWKS)");
            assertTrue(at(envHolder, "env") == null, "no single secret is wired in: an RS256 set-up would get a secret too");
        }
        String url = (String) config.get("SIGNALING_REDIS_URL");
        assertTrue(url == null, "the Redis URL carries its password: it is in the Secret, not the ConfigMap");
        String docs = Files.readString(Path.of("docs/kubernetes.md"));
        Matcher redisUrl = Pattern.compile("SIGNALING_REDIS_URL=\"?redis://:[^@]+@([a-z-]+):(\\d+)").matcher(docs);
        assertTrue(redisUrl.find(), "the documented Secret names Redis with a password");
        Map<String, Object> redisService = manifest("Service", redisUrl.group(1));
        assertEquals(Integer.parseInt(redisUrl.group(2)), at(list(at(redisService, "spec", "ports")).get(0), "port"));
    }

    @Test
    void noSampleSecretIsAppliedByTheDocumentedCommands() throws Exception {
        assertTrue(MANIFESTS.stream().noneMatch(m -> "Secret".equals(m.get("kind"))), "no Secret with a sample value ships");
        String docs = Files.readString(Path.of("docs/kubernetes.md"));
        Matcher applied = Pattern.compile("-f (deploy/kubernetes/[a-z./-]*)").matcher(docs);
        int files = 0;
        while (applied.find()) {
            Path file = Path.of(applied.group(1));
            assertTrue(Files.exists(file), file + " exists");
            try (Stream<Path> all = Files.isDirectory(file) ? Files.list(file) : Stream.of(file)) {
                for (Path each : all.toList()) {
                    assertFalse(Files.readString(each).contains("kind: Secret"), each + " applies no Secret");
                }
            }
            files++;
        }
        assertTrue(files >= 5, "the documented apply names the manifests: " + files);
        assertFalse(docs.contains("change-me"), "no placeholder secret in the docs either");
    }

    @Test
    void everyPodMeetsPodSecurityRestrictedAndImagesArePinned() throws Exception {
        for (String name : List.of("signaling", "signaling-redis")) {
            Map<String, Object> pod = map(at(manifest("Deployment", name), "spec", "template", "spec"));
            assertEquals(Boolean.TRUE, at(pod, "securityContext", "runAsNonRoot"), name);
            assertEquals("RuntimeDefault", at(pod, "securityContext", "seccompProfile", "type"), name);
            for (Object c : list(pod.get("containers"))) {
                assertEquals(Boolean.FALSE, at(c, "securityContext", "allowPrivilegeEscalation"), name);
                assertEquals(List.of("ALL"), at(c, "securityContext", "capabilities", "drop"), name);
                assertTrue(at(c, "securityContext", "privileged") == null, name);
                String image = (String) map(c).get("image");
                assertTrue(image.matches("[^:]+:[^:]*\\d[^:]*") && !image.contains("SNAPSHOT") && !image.endsWith(":latest"),
                        "a pinned release tag: " + image);
                assertTrue(at(c, "resources", "limits", "memory") != null, name + " has a memory limit");
            }
        }
        Map<String, Object> olApp = map(at(manifest("OpenLibertyApplication", "signaling"), "spec"));
        assertEquals(Boolean.FALSE, at(olApp, "securityContext", "allowPrivilegeEscalation"));
        assertFalse(((String) olApp.get("applicationImage")).contains("SNAPSHOT"));
    }

    @Test
    void aDisruptionTakesOneNodeAtATimeAndOnlyTheNodesReachRedis() throws Exception {
        Map<String, Object> labels = map(at(manifest("Deployment", "signaling"), "spec", "selector", "matchLabels"));
        Map<String, Object> pdb = manifest("PodDisruptionBudget", "signaling");
        assertEquals(labels, at(pdb, "spec", "selector", "matchLabels"));
        assertEquals(1, at(pdb, "spec", "maxUnavailable"));
        assertTrue(at(manifest("Deployment", "signaling"), "spec", "template", "spec", "topologySpreadConstraints") != null,
                "nodes spread over hosts");
        Map<String, Object> policy = manifest("NetworkPolicy", "signaling-redis");
        assertEquals(at(manifest("Deployment", "signaling-redis"), "spec", "selector", "matchLabels"),
                at(policy, "spec", "podSelector", "matchLabels"));
        List<Object> ingress = list(at(policy, "spec", "ingress"));
        assertEquals(1, ingress.size());
        assertEquals(labels, at(list(at(ingress.get(0), "from")).get(0), "podSelector", "matchLabels"), "only the signaling pods");
        Map<String, Object> redis = map(list(at(manifest("Deployment", "signaling-redis"), "spec", "template", "spec",
                "containers")).get(0));
        assertTrue(String.join(" ", list(redis.get("args")).stream().map(String::valueOf).toList()).contains("--requirepass $(REDIS_PASSWORD)"));
        assertEquals("signaling-secrets", at(list(redis.get("env")).get(0), "valueFrom", "secretKeyRef", "name"));
    }

    /**
     * The pod's memory limit, the heap's share of it and the connection cap are the ones
     * docs/kubernetes.md measured together (src/test/bench/memory-fit.sh), and the peak it measured
     * stays under the limit.
     */
    @Test
    void theMemoryLimitHoldsTheConnectionCapAsMeasured() throws Exception {
        Map<String, Object> container = map(list(at(manifest("Deployment", "signaling"), "spec", "template", "spec",
                "containers")).get(0));
        String limit = (String) at(container, "resources", "limits", "memory");
        assertEquals(limit, at(container, "resources", "requests", "memory"), "requested as it is limited: never evicted first");
        int limitMb = Integer.parseInt(limit.replace("Gi", "")) * 1024;
        Matcher percent = Pattern.compile("MaxRAMPercentage=(\\d+)").matcher(Files.readString(Path.of("Dockerfile")));
        assertTrue(percent.find());
        String cap = (String) map(at(manifest("ConfigMap", "signaling-config"), "data")).get("SIGNALING_MAX_CONNECTIONS");
        String docs = Files.readString(Path.of("docs/kubernetes.md"));
        Matcher measured = Pattern.compile("memory limit (\\d+) MiB, heap (\\d+) %, (\\d[\\d ]*) connections: peak RSS (\\d+) MiB")
                .matcher(docs);
        assertTrue(measured.find(), "docs/kubernetes.md gives the measured figure");
        assertEquals(limitMb, Integer.parseInt(measured.group(1)));
        assertEquals(percent.group(1), measured.group(2));
        int connections = Integer.parseInt(measured.group(3).replace(" ", ""));
        assertTrue(connections >= Integer.parseInt(cap) * 0.9, "measured near the cap: " + connections + " of " + cap);
        assertTrue(Integer.parseInt(measured.group(4)) < limitMb * 0.9, "with room to spare under the limit");
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
