package dev.imagefactory.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reads every manifest under {@code k8s/} into fabric8's typed model, so a misspelled field, an unknown
 * kind or a wrongly typed value fails the build, and checks the properties the deployment relies on.
 */
class KubernetesManifestsTest {

    static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    static final Path K8S = ROOT.resolve("k8s");
    static final String KUSTOMIZATION = "kustomization.yaml";

    static final String SECUREBOOT_SECRET = "image-factory-secureboot";
    static final Set<String> SECUREBOOT_KEYS = Set.of("signing-key.pem", "signing-cert.pem", "pcr-key.pem");
    static final String SECUREBOOT_MOUNT = "/etc/image-factory/secureboot";

    private static final YAMLMapper YAML = YAMLMapper.builder(
            YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build()).build();
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    /** A parsed document and where it came from. */
    record Manifest(Path file, int document, HasMetadata resource) {
        String where() {
            return ROOT.relativize(file) + "#" + document + " (" + resource.getKind() + "/" + resource.getMetadata().getName() + ")";
        }
    }

    private static List<Manifest> manifests;

    @BeforeAll
    static void load() throws IOException {
        assertTrue(Files.isDirectory(K8S), "missing " + K8S);
        manifests = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Path file : manifestFiles()) {
            try {
                manifests.addAll(parse(file));
            } catch (RuntimeException | IOException | AssertionError e) {
                problems.add(ROOT.relativize(file) + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            fail("broken manifests:\n  " + String.join("\n  ", problems));
        }
        assertFalse(manifests.isEmpty(), "no manifests under k8s/");
    }

    // ---------------------------------------------------------------- parsing

    /** All YAML files below k8s/ except the kustomization, sorted. */
    static List<Path> manifestFiles() throws IOException {
        try (Stream<Path> files = Files.walk(K8S)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().matches(".*\\.ya?ml"))
                    .filter(p -> !p.equals(K8S.resolve(KUSTOMIZATION)))
                    .sorted()
                    .toList();
        }
    }

    /** Every YAML document of a file (multi-document aware), as typed Kubernetes objects. */
    static List<Manifest> parse(Path file) throws IOException {
        List<Manifest> parsed = new ArrayList<>();
        int index = 0;
        for (JsonNode document : yamlDocuments(Files.readString(file))) {
            index++;
            parsed.add(new Manifest(file, index, toTyped(document, "document " + index)));
        }
        if (parsed.isEmpty()) {
            throw new AssertionError("no YAML documents");
        }
        return parsed;
    }

    static List<JsonNode> yamlDocuments(String text) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(text)) {
            while (it.hasNextValue()) {
                JsonNode node = it.nextValue();
                // an empty document (only comments) reads as null or as an empty scalar
                boolean empty = node == null || node.isNull() || node.isMissingNode()
                        || (node.isTextual() && node.asText().isEmpty());
                if (!empty) {
                    documents.add(node);
                }
            }
        }
        return documents;
    }

    /**
     * Deserializes one document by apiVersion/kind. Unknown kinds (which fabric8 would read as
     * {@link GenericKubernetesResource}) and unknown fields anywhere in the tree (which it would keep in
     * {@code additionalProperties}) are errors.
     */
    static HasMetadata toTyped(JsonNode document, String where) {
        if (!document.isObject()) {
            throw new AssertionError(where + ": not a mapping");
        }
        String apiVersion = document.path("apiVersion").asText("");
        String kind = document.path("kind").asText("");
        if (apiVersion.isEmpty() || kind.isEmpty()) {
            throw new AssertionError(where + ": apiVersion and kind are required");
        }
        if (SERIALIZATION.getRegisteredKubernetesResource(apiVersion, kind) == null) {
            throw new AssertionError(where + ": unknown kind " + apiVersion + "/" + kind);
        }
        KubernetesResource resource = SERIALIZATION.unmarshal(document.toString(), KubernetesResource.class);
        if (!(resource instanceof HasMetadata typed) || resource instanceof GenericKubernetesResource) {
            throw new AssertionError(where + ": " + apiVersion + "/" + kind + " did not map to a typed resource");
        }
        List<String> unknown = new ArrayList<>();
        collectUnknownFields(resource, kind, unknown, Collections.newSetFromMap(new IdentityHashMap<>()));
        if (!unknown.isEmpty()) {
            throw new AssertionError(where + ": unknown fields or invalid values " + unknown);
        }
        if (typed.getMetadata() == null || typed.getMetadata().getName() == null
                || typed.getMetadata().getName().isBlank()) {
            throw new AssertionError(where + ": metadata.name is required");
        }
        return typed;
    }

    /** Walks the fabric8 object graph and reports every non-empty additionalProperties map. */
    private static void collectUnknownFields(Object value, String path, List<String> unknown, Set<Object> seen) {
        if (value == null || !seen.add(value)) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                collectUnknownFields(item, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> collectUnknownFields(v, path + "." + k, unknown, seen));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return; // strings, numbers, booleans
        }
        if (value instanceof Quantity quantity) {
            try {
                quantity.getNumericalAmount(); // fabric8 parses quantities lazily
            } catch (RuntimeException e) {
                unknown.add(path + " (invalid quantity '" + quantity + "')");
            }
        }
        for (Method getter : value.getClass().getMethods()) {
            if (Modifier.isStatic(getter.getModifiers()) || getter.getParameterCount() != 0
                    || !getter.getName().startsWith("get")) {
                continue;
            }
            Class<?> type = getter.getReturnType();
            boolean additional = getter.getName().equals("getAdditionalProperties");
            boolean descend = type.getName().startsWith("io.fabric8.kubernetes.api.model")
                    || Collection.class.isAssignableFrom(type) || Map.class.isAssignableFrom(type);
            if (!additional && !descend) {
                continue;
            }
            Object child;
            try {
                child = getter.invoke(value);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            if (additional) {
                if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(k -> unknown.add(path + "." + k));
                }
            } else {
                String name = getter.getName().substring(3);
                collectUnknownFields(child, path + "." + Character.toLowerCase(name.charAt(0)) + name.substring(1),
                        unknown, seen);
            }
        }
    }

    // ---------------------------------------------------------------- the parser itself must reject

    @Test
    void rejectsMisspelledFieldsUnknownKindsAndBadTypes() throws IOException {
        String good = """
                apiVersion: v1
                kind: Service
                metadata: {name: s}
                spec: {ports: [{port: 80, targetPort: http}]}
                """;
        assertEquals(Service.class, toTyped(yamlDocuments(good).get(0), "good").getClass());
        assertThrows(AssertionError.class,
                () -> toTyped(yamlDocuments(good.replace("kind: Service", "kind: Servise")).get(0), "kind"));
        assertThrows(AssertionError.class,
                () -> toTyped(yamlDocuments(good.replace("targetPort", "targetPrt")).get(0), "field"));
        assertThrows(AssertionError.class,
                () -> toTyped(yamlDocuments(good.replace("metadata: {name: s}", "metadata: {}")).get(0), "name"));
        assertThrows(Throwable.class,
                () -> toTyped(yamlDocuments(good.replace("port: 80", "port: [80]")).get(0), "type"));
        String claim = "{apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: c},"
                + " spec: {resources: {requests: {storage: 1Gi}}}}";
        assertEquals(PersistentVolumeClaim.class, toTyped(yamlDocuments(claim).get(0), "claim").getClass());
        assertThrows(AssertionError.class,
                () -> toTyped(yamlDocuments(claim.replace("1Gi", "lots")).get(0), "quantity"));
        assertThrows(IOException.class, () -> yamlDocuments("a: 1\na: 2\n"));
        assertEquals(2, yamlDocuments("---\nkind: A\n---\n# only a comment\n---\nkind: B\n").size());
    }

    // ---------------------------------------------------------------- kustomization

    @Test
    void kustomizationListsExactlyTheManifests() throws IOException {
        Path file = K8S.resolve(KUSTOMIZATION);
        assertTrue(Files.isRegularFile(file), "missing k8s/" + KUSTOMIZATION);
        List<JsonNode> documents = yamlDocuments(Files.readString(file));
        assertEquals(1, documents.size(), "kustomization.yaml must be one document");
        JsonNode kustomization = documents.get(0);
        assertEquals("kustomize.config.k8s.io/v1beta1", kustomization.path("apiVersion").asText());
        assertEquals("Kustomization", kustomization.path("kind").asText());

        List<String> listed = new ArrayList<>();
        kustomization.path("resources").forEach(r -> listed.add(r.asText()));
        assertEquals(listed.size(), new TreeSet<>(listed).size(), "duplicate entries in resources: " + listed);
        for (String entry : listed) {
            assertTrue(Files.isRegularFile(K8S.resolve(entry)), "kustomization.yaml lists missing file " + entry);
        }
        Set<String> onDisk = manifestFiles().stream()
                .map(p -> K8S.relativize(p).toString().replace('\\', '/'))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> notListed = new TreeSet<>(onDisk);
        listed.forEach(notListed::remove);
        assertTrue(notListed.isEmpty(), "manifests missing from kustomization.yaml: " + notListed);

        String namespace = kustomization.path("namespace").asText(null);
        if (namespace != null) {
            for (Manifest m : manifests) {
                if (!(m.resource() instanceof Namespace)) {
                    assertEquals(namespace, m.resource().getMetadata().getNamespace(),
                            m.where() + " is in a different namespace than kustomization.yaml");
                }
            }
            one(Namespace.class).ifPresent(ns -> assertEquals(namespace, ns.getMetadata().getName()));
        }
        // The placeholder image must be replaceable through kustomize's images transformer.
        String image = container().getImage();
        boolean covered = false;
        for (JsonNode i : kustomization.path("images")) {
            covered |= image.startsWith(i.path("name").asText() + ":") || image.equals(i.path("name").asText());
        }
        assertTrue(covered, "kustomization.yaml images: should cover the deployment image " + image);
    }

    @Test
    void resourceNamesAreUniquePerKind() {
        Map<String, String> seen = new HashMap<>();
        for (Manifest m : manifests) {
            String key = m.resource().getKind() + "/" + m.resource().getMetadata().getNamespace() + "/"
                    + m.resource().getMetadata().getName();
            String previous = seen.put(key, m.where());
            assertNull(previous, "duplicate " + key + " in " + previous + " and " + m.where());
        }
    }

    // ---------------------------------------------------------------- deployment

    @Test
    void deploymentIsASingleWriter() {
        Deployment deployment = only(Deployment.class);
        assertEquals(1, deployment.getSpec().getReplicas(), "the filesystem store allows one writer");
        assertEquals("Recreate", deployment.getSpec().getStrategy().getType(),
                "a rolling update would run two writers on the same volume");
        Map<String, String> selector = deployment.getSpec().getSelector().getMatchLabels();
        assertFalse(selector == null || selector.isEmpty(), "selector.matchLabels required");
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
        assertTrue(podLabels.entrySet().containsAll(selector.entrySet()), "selector must match the pod labels");
        assertEquals(1, podSpec().getContainers().size(), "one container expected");
    }

    @Test
    void probesHitHealthAndReadinessOnTheContainerPort() {
        Container c = container();
        assertProbe(c, c.getLivenessProbe(), "/healthz", "livenessProbe");
        assertProbe(c, c.getReadinessProbe(), "/readyz", "readinessProbe");
        assertNotNull(c.getStartupProbe(), "startupProbe required");
        HTTPGetAction startup = c.getStartupProbe().getHttpGet();
        assertNotNull(startup, "startupProbe must be an httpGet");
        assertTrue(List.of("/healthz", "/readyz").contains(startup.getPath()), "startupProbe path " + startup.getPath());
        assertEquals(httpPort(c), resolvePort(c, startup.getPort()), "startupProbe port");
    }

    private static void assertProbe(Container c, Probe probe, String path, String what) {
        assertNotNull(probe, what + " required");
        HTTPGetAction get = probe.getHttpGet();
        assertNotNull(get, what + " must be an httpGet");
        assertEquals(path, get.getPath(), what + " path");
        assertEquals(httpPort(c), resolvePort(c, get.getPort()), what + " must target the container's HTTP port");
    }

    @Test
    void containerPortMatchesTheConfiguredHttpPort() {
        Container c = container();
        String configured = containerEnv(c).get("QUARKUS_HTTP_PORT");
        assertNotNull(configured, "QUARKUS_HTTP_PORT should be set explicitly");
        assertEquals(Integer.parseInt(configured), httpPort(c));
    }

    @Test
    void resourcesHaveRequestsAndLimits() {
        ResourceRequirements resources = container().getResources();
        assertNotNull(resources, "resources required");
        for (String r : List.of("cpu", "memory")) {
            Quantity request = resources.getRequests() == null ? null : resources.getRequests().get(r);
            Quantity limit = resources.getLimits() == null ? null : resources.getLimits().get(r);
            assertNotNull(request, "requests." + r + " required");
            assertNotNull(limit, "limits." + r + " required");
            assertTrue(request.getNumericalAmount().signum() > 0, "requests." + r + " must be positive");
            assertTrue(request.getNumericalAmount().compareTo(limit.getNumericalAmount()) <= 0,
                    r + " request must not exceed the limit");
        }
    }

    @Test
    void podRunsRestricted() {
        PodSecurityContext pod = podSpec().getSecurityContext();
        assertNotNull(pod, "pod securityContext required");
        assertEquals(Boolean.TRUE, pod.getRunAsNonRoot(), "runAsNonRoot");
        assertNotNull(pod.getRunAsUser(), "runAsUser");
        assertTrue(pod.getRunAsUser() > 0, "runAsUser must not be 0");
        assertNotNull(pod.getFsGroup(), "fsGroup (so the volume is writable)");
        assertEquals("RuntimeDefault", pod.getSeccompProfile().getType());

        Container c = container();
        SecurityContext sc = c.getSecurityContext();
        assertNotNull(sc, "container securityContext required");
        assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation(), "allowPrivilegeEscalation");
        assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem(), "readOnlyRootFilesystem");
        assertTrue(sc.getCapabilities().getDrop().contains("ALL"), "capabilities.drop ALL");
        assertTrue(sc.getCapabilities().getAdd() == null || sc.getCapabilities().getAdd().isEmpty(), "no added capabilities");
        assertTrue(sc.getPrivileged() == null || !sc.getPrivileged(), "not privileged");
        if (sc.getRunAsNonRoot() != null) {
            assertTrue(sc.getRunAsNonRoot(), "container runAsNonRoot");
        }
        long uid = sc.getRunAsUser() != null ? sc.getRunAsUser() : pod.getRunAsUser();
        assertTrue(uid > 0, "container uid must not be 0");

        // A read-only root needs a writable /tmp.
        Volume tmp = volumeMountedAt(c, "/tmp");
        assertNotNull(tmp.getEmptyDir(), "/tmp should be an emptyDir");
    }

    @Test
    void podUserMatchesTheImageUser() {
        String user = DockerfileModel.read(ROOT.resolve("Dockerfile")).finalStage().last("USER").orElseThrow().args();
        String[] ids = user.strip().split(":");
        Container c = container();
        PodSecurityContext pod = podSpec().getSecurityContext();
        long uid = c.getSecurityContext().getRunAsUser() != null ? c.getSecurityContext().getRunAsUser() : pod.getRunAsUser();
        assertEquals(Long.parseLong(ids[0]), uid, "runAsUser should match the Dockerfile USER");
        if (ids.length > 1) {
            assertEquals(Long.parseLong(ids[1]), pod.getFsGroup(), "fsGroup should match the Dockerfile group");
        }
    }

    @Test
    void dataVolumeIsThePersistentClaimMountedAtTheDataDir() {
        Container c = container();
        String dataDir = containerEnv(c).get("FACTORY_DATA_DIR");
        assertNotNull(dataDir, "FACTORY_DATA_DIR must be configured for the container");
        Volume data = volumeMountedAt(c, dataDir);
        assertNotNull(data.getPersistentVolumeClaim(), "the data dir must be on a PersistentVolumeClaim");
        String claim = data.getPersistentVolumeClaim().getClaimName();
        PersistentVolumeClaim pvc = named(PersistentVolumeClaim.class, claim);
        assertTrue(pvc.getSpec().getAccessModes().contains("ReadWriteOnce"), "single-writer claim");
        assertNotNull(pvc.getSpec().getResources().getRequests().get("storage"), "storage request required");
        VolumeMount mount = mountAt(c, dataDir);
        assertTrue(mount.getReadOnly() == null || !mount.getReadOnly(), "data dir must be writable");

        Map<String, String> image = DockerfileModel.read(ROOT.resolve("Dockerfile")).finalStage().env();
        assertEquals(image.get("FACTORY_DATA_DIR"), dataDir, "same data dir as the image's VOLUME");
        String releases = containerEnv(c).get("FACTORY_RELEASES_DIR");
        assertNotNull(releases, "FACTORY_RELEASES_DIR must be configured");
        assertTrue(releases.startsWith(dataDir + "/"), "releases should be on the data volume: " + releases);
        assertEquals(image.get("FACTORY_CATALOG_DIR"), containerEnv(c).get("FACTORY_CATALOG_DIR"),
                "the catalogs are baked into the image at its FACTORY_CATALOG_DIR");
    }

    @Test
    void configMapCarriesTheFactorySettings() {
        Container c = container();
        Map<String, String> env = containerEnv(c);
        for (String key : List.of("QUARKUS_HTTP_PORT", "FACTORY_DATA_DIR", "FACTORY_EXTERNAL_URL",
                "FACTORY_EXTERNAL_PXE_URL", "FACTORY_RELEASES_DIR", "FACTORY_CATALOG_DIR")) {
            assertTrue(env.containsKey(key), key + " missing from the container environment");
        }
        assertTrue(env.get("FACTORY_EXTERNAL_URL").matches("https?://[^/\\s]+.*"), "FACTORY_EXTERNAL_URL must be a URL");
        String pxe = env.get("FACTORY_EXTERNAL_PXE_URL");
        assertTrue(pxe.isEmpty() || pxe.matches("https?://[^/\\s]+.*"), "FACTORY_EXTERNAL_PXE_URL must be empty or a URL");
        for (String key : env.keySet()) {
            assertTrue(key.matches("[A-Z][A-Z0-9_]*"), "not an environment variable name: " + key);
        }
    }

    @Test
    void secureBootSecretHasTheKeysAndIsMountedOptionally() {
        Secret secret = named(Secret.class, SECUREBOOT_SECRET);
        Set<String> keys = new TreeSet<>();
        if (secret.getData() != null) {
            keys.addAll(secret.getData().keySet());
        }
        if (secret.getStringData() != null) {
            keys.addAll(secret.getStringData().keySet());
        }
        assertEquals(new TreeSet<>(SECUREBOOT_KEYS), keys, "SecureBoot secret keys");

        Container c = container();
        Volume volume = volumeMountedAt(c, SECUREBOOT_MOUNT);
        assertNotNull(volume.getSecret(), SECUREBOOT_MOUNT + " must come from a Secret");
        assertEquals(SECUREBOOT_SECRET, volume.getSecret().getSecretName());
        assertEquals(Boolean.TRUE, volume.getSecret().getOptional(), "the pod must start without SecureBoot keys");
        assertEquals(Boolean.TRUE, mountAt(c, SECUREBOOT_MOUNT).getReadOnly(), "key material is mounted read-only");
        Integer mode = volume.getSecret().getDefaultMode();
        assertTrue(mode == null || (mode & 0007) == 0, "key files must not be world-readable");
    }

    // ---------------------------------------------------------------- service

    @Test
    void serviceTargetsTheContainerPort() {
        Service service = only(Service.class);
        Container c = container();
        assertEquals("ClusterIP", Objects.requireNonNullElse(service.getSpec().getType(), "ClusterIP"));
        Map<String, String> podLabels = only(Deployment.class).getSpec().getTemplate().getMetadata().getLabels();
        Map<String, String> selector = service.getSpec().getSelector();
        assertFalse(selector == null || selector.isEmpty(), "service selector required");
        assertTrue(podLabels.entrySet().containsAll(selector.entrySet()), "service selector must match the pods");
        ServicePort port = service.getSpec().getPorts().stream()
                .filter(p -> p.getPort() == 80).findFirst()
                .orElseThrow(() -> new AssertionError("service must expose port 80"));
        assertEquals(httpPort(c), resolvePort(c, port.getTargetPort()), "service targetPort");
    }

    // ---------------------------------------------------------------- helpers

    private static <T extends HasMetadata> List<T> all(Class<T> type) {
        return manifests.stream().map(Manifest::resource).filter(type::isInstance).map(type::cast).toList();
    }

    private static <T extends HasMetadata> java.util.Optional<T> one(Class<T> type) {
        List<T> found = all(type);
        assertTrue(found.size() <= 1, "more than one " + type.getSimpleName());
        return found.stream().findFirst();
    }

    private static <T extends HasMetadata> T only(Class<T> type) {
        List<T> found = all(type);
        assertEquals(1, found.size(), "expected exactly one " + type.getSimpleName());
        return found.get(0);
    }

    private static <T extends HasMetadata> T named(Class<T> type, String name) {
        return all(type).stream().filter(r -> name.equals(r.getMetadata().getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " named " + name + " under k8s/"));
    }

    private static PodSpec podSpec() {
        return only(Deployment.class).getSpec().getTemplate().getSpec();
    }

    private static Container container() {
        return podSpec().getContainers().get(0);
    }

    private static int httpPort(Container c) {
        List<ContainerPort> ports = c.getPorts();
        assertNotNull(ports, "container ports required");
        return ports.stream().filter(p -> "http".equals(p.getName())).findFirst()
                .or(() -> ports.stream().findFirst())
                .orElseThrow(() -> new AssertionError("container declares no port"))
                .getContainerPort();
    }

    /** A probe/service port given by number or by container port name. */
    private static int resolvePort(Container c, IntOrString port) {
        assertNotNull(port, "port required");
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return c.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + port.getStrVal()))
                .getContainerPort();
    }

    /** The container's environment: literal env entries over ConfigMaps referenced with envFrom. */
    private static Map<String, String> containerEnv(Container c) {
        Map<String, String> env = new LinkedHashMap<>();
        if (c.getEnvFrom() != null) {
            for (EnvFromSource from : c.getEnvFrom()) {
                if (from.getConfigMapRef() != null) {
                    ConfigMap cm = named(ConfigMap.class, from.getConfigMapRef().getName());
                    String prefix = Objects.requireNonNullElse(from.getPrefix(), "");
                    if (cm.getData() != null) {
                        cm.getData().forEach((k, v) -> env.put(prefix + k, v));
                    }
                }
            }
        }
        if (c.getEnv() != null) {
            c.getEnv().stream().filter(e -> e.getValue() != null).forEach(e -> env.put(e.getName(), e.getValue()));
        }
        return env;
    }

    private static VolumeMount mountAt(Container c, String path) {
        return c.getVolumeMounts().stream().filter(m -> path.equals(m.getMountPath())).findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted at " + path));
    }

    private static Volume volumeMountedAt(Container c, String path) {
        String name = mountAt(c, path).getName();
        return podSpec().getVolumes().stream().filter(v -> name.equals(v.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("volume " + name + " (mounted at " + path + ") is not defined"));
    }
}
