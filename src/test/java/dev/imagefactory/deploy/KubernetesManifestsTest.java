package dev.imagefactory.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.imagefactory.config.FactoryConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapKeySelector;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressServiceBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceBackendPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.WithName;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    static final String FACTORY_IMAGE = "ghcr.io/example/image-factory";
    static final String FACTORY_SERVICE = "image-factory";
    static final String CONFIG_MAP = "image-factory-config";
    static final String S3_SECRET = "image-factory-s3";
    static final String MINIO_SERVICE = "image-factory-minio";
    static final int MINIO_PORT = 9000;
    /** Non-factory keys the ConfigMap may carry. */
    static final Set<String> QUARKUS_KEYS = Set.of("QUARKUS_HTTP_PORT");

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
        JsonNode kustomization = kustomization();
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
    }

    @Test
    void everyImageIsCoveredByKustomizeAndTheThirdPartyOnesArePinned() throws IOException {
        Map<String, JsonNode> overrides = new HashMap<>();
        kustomization().path("images").forEach(i -> overrides.put(i.path("name").asText(), i));
        for (Workload w : workloads()) {
            for (Container c : w.pod().getContainers()) {
                String image = c.getImage();
                int colon = image.lastIndexOf(':');
                String name = colon > image.lastIndexOf('/') ? image.substring(0, colon) : image;
                String tag = colon > image.lastIndexOf('/') ? image.substring(colon + 1) : "latest";
                JsonNode override = overrides.get(name);
                assertNotNull(override, "kustomization.yaml images: should cover " + image + " (" + w.where() + ")");
                if (!name.equals(FACTORY_IMAGE)) {
                    // MinIO and mc: an exact release, identical in the manifest and in the kustomization.
                    assertTrue(tag.matches("RELEASE\\.\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\dZ"),
                            image + " must be pinned to a release tag");
                    assertEquals(tag, override.path("newTag").asText(tag),
                            "kustomization.yaml pins " + name + " to a different tag than " + w.where());
                }
            }
        }
        assertEquals(FACTORY_IMAGE, factoryContainer().getImage().replaceAll(":[^:/]*$", ""));
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

    // ---------------------------------------------------------------- factory deployment

    @Test
    void deploymentRunsSeveralStatelessReplicas() {
        Deployment deployment = factoryDeployment();
        assertTrue(deployment.getSpec().getReplicas() != null && deployment.getSpec().getReplicas() >= 2,
                "at least two replicas");
        assertEquals("RollingUpdate", deployment.getSpec().getStrategy().getType(),
                "replicas are stateless: roll them");
        var rolling = deployment.getSpec().getStrategy().getRollingUpdate();
        if (rolling != null && rolling.getMaxUnavailable() != null && rolling.getMaxUnavailable().getIntVal() != null) {
            assertTrue(rolling.getMaxUnavailable().getIntVal() < deployment.getSpec().getReplicas(),
                    "a rollout must keep a replica serving");
        }
        Map<String, String> selector = deployment.getSpec().getSelector().getMatchLabels();
        assertFalse(selector == null || selector.isEmpty(), "selector.matchLabels required");
        assertTrue(factoryLabels().entrySet().containsAll(selector.entrySet()), "selector must match the pod labels");
        assertEquals(1, factoryPod().getContainers().size(), "one container expected");
        for (Volume v : factoryPod().getVolumes()) {
            assertNull(v.getPersistentVolumeClaim(), "replicas share nothing but the bucket: volume " + v.getName());
        }
        // With more than one replica, the artifacts must be in the shared bucket.
        assertEquals(FactoryConfig.Cache.Backend.S3, factoryConfig().cache().backend(),
                "several replicas need FACTORY_CACHE_BACKEND=s3");
        assertTrue(all(PersistentVolumeClaim.class).isEmpty(), "no standalone claims: MinIO's come from its template");
    }

    @Test
    void podDisruptionBudgetKeepsAFactoryReplica() {
        PodDisruptionBudget pdb = only(PodDisruptionBudget.class);
        LabelSelector selector = pdb.getSpec().getSelector();
        assertNotNull(selector, "PDB selector required");
        assertTrue(selects(selector, factoryLabels()), "the PDB must select the factory pods");
        for (Workload w : workloads()) {
            if (w.pod() != factoryPod()) {
                assertFalse(selects(selector, w.labels()), "the PDB must not select " + w.where());
            }
        }
        IntOrString min = pdb.getSpec().getMinAvailable();
        IntOrString max = pdb.getSpec().getMaxUnavailable();
        assertTrue(min == null ^ max == null, "exactly one of minAvailable / maxUnavailable");
        IntOrString bound = min != null ? min : max;
        assertEquals(1, bound.getIntVal(), (min != null ? "minAvailable" : "maxUnavailable") + " should be 1");
        assertTrue(factoryDeployment().getSpec().getReplicas() > 1,
                "with one replica the PDB would block every node drain");
    }

    @Test
    void probesHitHealthAndReadinessOnTheContainerPort() {
        Container c = factoryContainer();
        assertProbe(c, c.getLivenessProbe(), "/healthz", "livenessProbe");
        assertProbe(c, c.getReadinessProbe(), "/readyz", "readinessProbe");
        assertNotNull(c.getStartupProbe(), "startupProbe required");
        HTTPGetAction startup = c.getStartupProbe().getHttpGet();
        assertNotNull(startup, "startupProbe must be an httpGet");
        assertTrue(List.of("/healthz", "/readyz").contains(startup.getPath()), "startupProbe path " + startup.getPath());
        assertEquals(httpPort(c), resolvePort(c, startup.getPort()), "startupProbe port");

        Container minio = minioContainer();
        assertProbe(minio, minio.getLivenessProbe(), "/minio/health/live", "MinIO livenessProbe");
        assertProbe(minio, minio.getReadinessProbe(), "/minio/health/ready", "MinIO readinessProbe");
    }

    private static void assertProbe(Container c, Probe probe, String path, String what) {
        assertNotNull(probe, what + " required");
        HTTPGetAction get = probe.getHttpGet();
        assertNotNull(get, what + " must be an httpGet");
        assertEquals(path, get.getPath(), what + " path");
        assertEquals(httpPort(c), resolvePort(c, get.getPort()), what + " must target the container's port");
    }

    @Test
    void containerPortMatchesTheConfiguredHttpPort() {
        Container c = factoryContainer();
        String configured = containerEnv(c).get("QUARKUS_HTTP_PORT");
        assertNotNull(configured, "QUARKUS_HTTP_PORT should be set explicitly");
        assertEquals(Integer.parseInt(configured), httpPort(c));
    }

    @Test
    void resourcesHaveRequestsAndLimits() {
        for (Workload w : workloads()) {
            for (Container c : w.pod().getContainers()) {
                String where = w.where() + " container " + c.getName() + ": ";
                ResourceRequirements resources = c.getResources();
                assertNotNull(resources, where + "resources required");
                for (String r : List.of("cpu", "memory")) {
                    Quantity request = resources.getRequests() == null ? null : resources.getRequests().get(r);
                    Quantity limit = resources.getLimits() == null ? null : resources.getLimits().get(r);
                    assertNotNull(request, where + "requests." + r + " required");
                    assertNotNull(limit, where + "limits." + r + " required");
                    assertTrue(request.getNumericalAmount().signum() > 0, where + "requests." + r + " must be positive");
                    assertTrue(request.getNumericalAmount().compareTo(limit.getNumericalAmount()) <= 0,
                            where + r + " request must not exceed the limit");
                }
            }
        }
    }

    @Test
    void everyPodRunsRestricted() {
        Namespace ns = only(Namespace.class);
        assertEquals("restricted", ns.getMetadata().getLabels().get("pod-security.kubernetes.io/enforce"),
                "the namespace enforces the restricted Pod Security Standard");
        for (Workload w : workloads()) {
            PodSpec spec = w.pod();
            PodSecurityContext pod = spec.getSecurityContext();
            assertNotNull(pod, w.where() + ": pod securityContext required");
            assertEquals(Boolean.TRUE, pod.getRunAsNonRoot(), w.where() + ": runAsNonRoot");
            assertNotNull(pod.getRunAsUser(), w.where() + ": runAsUser (the MinIO images declare no USER)");
            assertTrue(pod.getRunAsUser() > 0, w.where() + ": runAsUser must not be 0");
            assertEquals("RuntimeDefault", pod.getSeccompProfile().getType(), w.where() + ": seccomp");
            assertFalse(Boolean.TRUE.equals(spec.getHostNetwork()) || Boolean.TRUE.equals(spec.getHostPID())
                    || Boolean.TRUE.equals(spec.getHostIPC()), w.where() + ": no host namespaces");
            assertEquals(Boolean.FALSE, spec.getAutomountServiceAccountToken(), w.where() + ": no API token needed");
            boolean persistent = !w.claims().isEmpty()
                    || spec.getVolumes().stream().anyMatch(v -> v.getPersistentVolumeClaim() != null);
            if (persistent || spec == factoryPod()) {
                assertNotNull(pod.getFsGroup(), w.where() + ": fsGroup (so the volume is writable)");
            }
            for (Volume v : Objects.requireNonNullElse(spec.getVolumes(), List.<Volume>of())) {
                assertTrue(v.getEmptyDir() != null || v.getSecret() != null || v.getConfigMap() != null
                        || v.getPersistentVolumeClaim() != null, w.where() + ": volume type not allowed: " + v.getName());
            }
            for (Container c : spec.getContainers()) {
                String where = w.where() + " container " + c.getName() + ": ";
                SecurityContext sc = c.getSecurityContext();
                assertNotNull(sc, where + "securityContext required");
                assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation(), where + "allowPrivilegeEscalation");
                assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem(), where + "readOnlyRootFilesystem");
                assertTrue(sc.getCapabilities().getDrop().contains("ALL"), where + "capabilities.drop ALL");
                assertTrue(sc.getCapabilities().getAdd() == null || sc.getCapabilities().getAdd().isEmpty(),
                        where + "no added capabilities");
                assertTrue(sc.getPrivileged() == null || !sc.getPrivileged(), where + "not privileged");
                if (sc.getRunAsNonRoot() != null) {
                    assertTrue(sc.getRunAsNonRoot(), where + "container runAsNonRoot");
                }
                if (sc.getSeccompProfile() != null) {
                    assertEquals("RuntimeDefault", sc.getSeccompProfile().getType(), where + "seccomp");
                }
                long uid = sc.getRunAsUser() != null ? sc.getRunAsUser() : pod.getRunAsUser();
                assertTrue(uid > 0, where + "uid must not be 0");
                // A read-only root needs a writable /tmp (JVM scratch, MinIO certs dir, mc's config).
                Volume tmp = volumeMountedAt(w, c, "/tmp");
                assertNotNull(tmp.getEmptyDir(), where + "/tmp should be an emptyDir");
                assertNotNull(tmp.getEmptyDir().getSizeLimit(), where + "/tmp emptyDir needs a sizeLimit");
            }
        }
    }

    @Test
    void podUserMatchesTheImageUser() {
        String user = DockerfileModel.read(ROOT.resolve("Dockerfile")).finalStage().last("USER").orElseThrow().args();
        String[] ids = user.strip().split(":");
        Container c = factoryContainer();
        PodSecurityContext pod = factoryPod().getSecurityContext();
        long uid = c.getSecurityContext().getRunAsUser() != null ? c.getSecurityContext().getRunAsUser() : pod.getRunAsUser();
        assertEquals(Long.parseLong(ids[0]), uid, "runAsUser should match the Dockerfile USER");
        if (ids.length > 1) {
            assertEquals(Long.parseLong(ids[1]), pod.getFsGroup(), "fsGroup should match the Dockerfile group");
        }
    }

    @Test
    void dataDirIsBoundedPodScratch() {
        Container c = factoryContainer();
        Map<String, String> env = containerEnv(c);
        String dataDir = env.get("FACTORY_DATA_DIR");
        assertNotNull(dataDir, "FACTORY_DATA_DIR must be configured for the container");
        Volume data = volumeMountedAt(factoryWorkload(), c, dataDir);
        assertNotNull(data.getEmptyDir(), "the data dir is per-pod scratch (an emptyDir): state is in the bucket");
        Quantity sizeLimit = data.getEmptyDir().getSizeLimit();
        assertNotNull(sizeLimit, "the scratch emptyDir needs a sizeLimit");
        VolumeMount mount = mountAt(c, dataDir);
        assertTrue(mount.getReadOnly() == null || !mount.getReadOnly(), "data dir must be writable");

        // The local artifact cache is bounded well below the volume (build scratch and release cache share it).
        long cacheMax = factoryConfig().cache().maxSize().asLongValue();
        long limit = sizeLimit.getNumericalAmount().longValueExact();
        assertTrue(cacheMax <= limit / 4 * 3, "FACTORY_CACHE_MAX_SIZE (" + cacheMax
                + " bytes) must stay well below the data volume's sizeLimit (" + sizeLimit + ")");

        Map<String, String> image = DockerfileModel.read(ROOT.resolve("Dockerfile")).finalStage().env();
        assertEquals(image.get("FACTORY_DATA_DIR"), dataDir, "same data dir as the image's VOLUME");
        assertEquals(image.get("FACTORY_CATALOG_DIR"), env.get("FACTORY_CATALOG_DIR"),
                "the catalogs are baked into the image at its FACTORY_CATALOG_DIR");
        // A directory release source on an emptyDir would be empty: stateless replicas pull from a registry.
        assertEquals(FactoryConfig.Releases.Source.OCI, factoryConfig().releases().source(),
                "FACTORY_RELEASES_SOURCE should be oci (the pods have no persistent release directory)");
    }

    // ---------------------------------------------------------------- configuration

    @Test
    void configMapKeysAreRealConfigProperties() throws IOException {
        Set<String> known = factoryEnvironmentNames();
        // the S3 contract must be there (names fixed by the issue; the S3 backend implements them)
        for (String key : List.of("FACTORY_CACHE_BACKEND", "FACTORY_CACHE_S3_ENDPOINT", "FACTORY_CACHE_S3_REGION",
                "FACTORY_CACHE_S3_BUCKET", "FACTORY_CACHE_S3_ACCESS_KEY", "FACTORY_CACHE_S3_SECRET_KEY",
                "FACTORY_CACHE_S3_PATH_STYLE", "FACTORY_CACHE_S3_REDIRECT", "FACTORY_CACHE_S3_REDIRECT_TTL")) {
            assertTrue(known.contains(key), key + " is not a property of FactoryConfig");
        }
        Set<String> keys = new TreeSet<>(containerEnv(factoryContainer()).keySet());
        // keys left commented out in configmap.yaml are documentation: they must be real too
        Matcher commented = Pattern.compile("(?m)^\\s*#\\s*([A-Z][A-Z0-9_]*):").matcher(
                Files.readString(K8S.resolve("configmap.yaml")));
        while (commented.find()) {
            keys.add(commented.group(1));
        }
        for (String key : keys) {
            assertTrue(key.matches("[A-Z][A-Z0-9_]*"), "not an environment variable name: " + key);
            if (key.startsWith("FACTORY_")) {
                assertTrue(known.contains(key), key + " is not a property of FactoryConfig " + known);
            } else {
                assertTrue(QUARKUS_KEYS.contains(key), "unexpected key " + key);
            }
        }
    }

    @Test
    void configMapValuesParseAndPointAtTheIngressHosts() {
        Map<String, String> env = containerEnv(factoryContainer());
        for (String key : List.of("QUARKUS_HTTP_PORT", "FACTORY_DATA_DIR", "FACTORY_EXTERNAL_URL",
                "FACTORY_EXTERNAL_PXE_URL", "FACTORY_CATALOG_DIR", "FACTORY_CACHE_BACKEND",
                "FACTORY_CACHE_S3_ENDPOINT", "FACTORY_CACHE_S3_BUCKET")) {
            assertTrue(env.containsKey(key), key + " missing from the container environment");
        }
        FactoryConfig config = factoryConfig(); // fails on values that do not convert (sizes, durations, enums)
        assertTrue(config.externalUrl().matches("https?://[^/\\s]+.*"), "FACTORY_EXTERNAL_URL must be a URL");
        String pxe = config.externalPxeUrl().orElse("");
        assertTrue(pxe.matches("http://[^/\\s]+.*"),
                "FACTORY_EXTERNAL_PXE_URL: a plain-http URL of its own host (the PXE host of the Ingress)");
        assertFalse(host(pxe).equals(host(config.externalUrl())), "the PXE host differs from the main host");
        FactoryConfig.Cache.S3 s3 = config.cache().s3();
        assertTrue(s3.bucket().isPresent() && !s3.bucket().get().isBlank(), "FACTORY_CACHE_S3_BUCKET");
        assertTrue(s3.endpoint().isPresent(), "FACTORY_CACHE_S3_ENDPOINT");
        assertFalse(s3.redirectTtl().isNegative() || s3.redirectTtl().isZero(), "FACTORY_CACHE_S3_REDIRECT_TTL");
        if (s3.redirect()) {
            assertFalse(s3.endpoint().get().contains(MINIO_SERVICE),
                    "presigned redirects to the in-cluster MinIO would send clients to an unreachable address");
        }
    }

    @Test
    void s3CredentialsComeFromTheSecretAndEveryReferenceResolves() {
        // the factory's key pair is a secretKeyRef, never a ConfigMap value
        ConfigMap config = named(ConfigMap.class, CONFIG_MAP);
        for (String key : config.getData().keySet()) {
            assertFalse(key.matches(".*(SECRET|PASSWORD|ACCESS_KEY|TOKEN).*"), key + " belongs in a Secret");
        }
        Map<String, SecretKeySelector> factorySecrets = secretRefs(factoryContainer());
        assertEquals(Set.of("FACTORY_CACHE_S3_ACCESS_KEY", "FACTORY_CACHE_S3_SECRET_KEY"),
                factorySecrets.keySet(), "the factory's secret environment");

        // every reference of every workload resolves to a key of a Secret / ConfigMap under k8s/
        for (Workload w : workloads()) {
            for (Container c : w.pod().getContainers()) {
                for (EnvVar e : Objects.requireNonNullElse(c.getEnv(), List.<EnvVar>of())) {
                    if (e.getValueFrom() == null) {
                        continue;
                    }
                    String where = w.where() + " env " + e.getName();
                    if (e.getValueFrom().getSecretKeyRef() != null) {
                        SecretKeySelector ref = e.getValueFrom().getSecretKeyRef();
                        assertTrue(secretKeys(named(Secret.class, ref.getName())).contains(ref.getKey()),
                                where + ": Secret " + ref.getName() + " has no key " + ref.getKey());
                    } else if (e.getValueFrom().getConfigMapKeyRef() != null) {
                        ConfigMapKeySelector ref = e.getValueFrom().getConfigMapKeyRef();
                        assertTrue(named(ConfigMap.class, ref.getName()).getData().containsKey(ref.getKey()),
                                where + ": ConfigMap " + ref.getName() + " has no key " + ref.getKey());
                    } else {
                        fail(where + ": unexpected valueFrom");
                    }
                }
                for (EnvFromSource from : Objects.requireNonNullElse(c.getEnvFrom(), List.<EnvFromSource>of())) {
                    if (from.getConfigMapRef() != null) {
                        named(ConfigMap.class, from.getConfigMapRef().getName());
                    }
                    assertNull(from.getSecretRef(), w.where() + ": take single keys with secretKeyRef, not envFrom");
                }
            }
            for (Volume v : Objects.requireNonNullElse(w.pod().getVolumes(), List.<Volume>of())) {
                if (v.getSecret() != null && !Boolean.TRUE.equals(v.getSecret().getOptional())) {
                    named(Secret.class, v.getSecret().getSecretName());
                }
            }
        }
        // no default credentials are shipped: the placeholders are empty
        Secret s3 = named(Secret.class, S3_SECRET);
        for (SecretKeySelector ref : factorySecrets.values()) {
            assertEquals(S3_SECRET, ref.getName());
            String value = s3.getStringData() != null ? s3.getStringData().get(ref.getKey()) : null;
            assertTrue(value == null || value.isEmpty(), "commit no credentials: " + S3_SECRET + "/" + ref.getKey());
        }
    }

    @Test
    void secureBootSecretHasTheKeysAndIsMountedOptionally() {
        Secret secret = named(Secret.class, SECUREBOOT_SECRET);
        assertEquals(new TreeSet<>(SECUREBOOT_KEYS), secretKeys(secret), "SecureBoot secret keys");

        Container c = factoryContainer();
        Volume volume = volumeMountedAt(factoryWorkload(), c, SECUREBOOT_MOUNT);
        assertNotNull(volume.getSecret(), SECUREBOOT_MOUNT + " must come from a Secret");
        assertEquals(SECUREBOOT_SECRET, volume.getSecret().getSecretName());
        assertEquals(Boolean.TRUE, volume.getSecret().getOptional(), "the pod must start without SecureBoot keys");
        assertEquals(Boolean.TRUE, mountAt(c, SECUREBOOT_MOUNT).getReadOnly(), "key material is mounted read-only");
        Integer mode = volume.getSecret().getDefaultMode();
        assertTrue(mode == null || (mode & 0007) == 0, "key files must not be world-readable");
    }

    // ---------------------------------------------------------------- service and ingress

    @Test
    void serviceTargetsTheContainerPort() {
        Service service = named(Service.class, FACTORY_SERVICE);
        Container c = factoryContainer();
        assertEquals("ClusterIP", Objects.requireNonNullElse(service.getSpec().getType(), "ClusterIP"));
        assertSelectsOnly(service.getSpec().getSelector(), factoryWorkload(), "Service " + FACTORY_SERVICE);
        ServicePort port = service.getSpec().getPorts().stream()
                .filter(p -> p.getPort() == 80).findFirst()
                .orElseThrow(() -> new AssertionError("service must expose port 80"));
        assertEquals(httpPort(c), resolvePort(c, port.getTargetPort()), "service targetPort");
    }

    @Test
    void ingressRoutesTheMainAndThePxeHostToTheService() {
        FactoryConfig config = factoryConfig();
        String mainHost = host(config.externalUrl());
        String pxeHost = host(config.externalPxeUrl().orElseThrow());
        Service service = named(Service.class, FACTORY_SERVICE);
        Map<String, Ingress> byHost = new HashMap<>();
        for (Ingress ingress : all(Ingress.class)) {
            for (IngressRule rule : ingress.getSpec().getRules()) {
                assertNotNull(rule.getHost(), ingress.getMetadata().getName() + ": every rule names its host");
                assertNull(byHost.put(rule.getHost(), ingress), "host " + rule.getHost() + " routed twice");
                assertFalse(rule.getHttp().getPaths().isEmpty(), rule.getHost() + ": no paths");
                boolean root = false;
                for (HTTPIngressPath path : rule.getHttp().getPaths()) {
                    root |= "/".equals(path.getPath()) && "Prefix".equals(path.getPathType());
                    IngressServiceBackend backend = path.getBackend().getService();
                    assertNotNull(backend, rule.getHost() + ": backend must be a Service");
                    assertEquals(FACTORY_SERVICE, backend.getName(), rule.getHost() + ": backend service");
                    ServiceBackendPort port = backend.getPort();
                    assertTrue(service.getSpec().getPorts().stream().anyMatch(p -> port.getName() != null
                            ? port.getName().equals(p.getName()) : Objects.equals(port.getNumber(), p.getPort())),
                            rule.getHost() + ": backend port " + port + " is not a port of Service " + FACTORY_SERVICE);
                }
                assertTrue(root, rule.getHost() + ": everything (path / Prefix) goes to the service");
            }
        }
        assertEquals(Set.of(mainHost, pxeHost), byHost.keySet(),
                "Ingress hosts must be the hosts of FACTORY_EXTERNAL_URL and FACTORY_EXTERNAL_PXE_URL");

        // PXE host: plain HTTP, never redirected (iPXE); main host: TLS when the external URL is https.
        Ingress pxe = byHost.get(pxeHost);
        for (IngressTLS tls : Objects.requireNonNullElse(pxe.getSpec().getTls(), List.<IngressTLS>of())) {
            fail("the PXE host's Ingress must have no TLS section (its certificate would turn on the HTTPS redirect): " + tls);
        }
        Map<String, String> pxeAnnotations = Objects.requireNonNullElse(pxe.getMetadata().getAnnotations(), Map.of());
        assertEquals("false", pxeAnnotations.get("nginx.ingress.kubernetes.io/ssl-redirect"), "PXE: ssl-redirect off");
        assertNotEquals("true", pxeAnnotations.get("nginx.ingress.kubernetes.io/force-ssl-redirect"));
        assertNotSame(pxe, byHost.get(mainHost), "the PXE host needs its own Ingress (annotations are per Ingress)");
        if (config.externalUrl().startsWith("https://")) {
            Ingress main = byHost.get(mainHost);
            assertTrue(main.getSpec().getTls() != null && main.getSpec().getTls().stream()
                    .anyMatch(t -> t.getHosts().contains(mainHost)), "the main host is served with TLS");
        }
        // A cold request waits for its build: the controller must not give up before the build timeout.
        long buildSeconds = config.build().timeout().toSeconds();
        for (Ingress ingress : byHost.values()) {
            String timeout = Objects.requireNonNullElse(ingress.getMetadata().getAnnotations(), Map.<String, String>of())
                    .get("nginx.ingress.kubernetes.io/proxy-read-timeout");
            assertNotNull(timeout, ingress.getMetadata().getName() + ": proxy-read-timeout (default 60s)");
            assertTrue(Long.parseLong(timeout) >= buildSeconds, ingress.getMetadata().getName()
                    + ": proxy-read-timeout " + timeout + "s is shorter than FACTORY_BUILD_TIMEOUT");
        }
    }

    // ---------------------------------------------------------------- MinIO and the bucket

    @Test
    void minioStatefulSetServiceAndJobShareTheBucketAndTheSecret() {
        StatefulSet minio = only(StatefulSet.class);
        Workload minioWorkload = workload(minio);
        Container server = minioContainer();
        assertTrue(server.getImage().startsWith("quay.io/minio/minio:"), "MinIO image " + server.getImage());
        assertEquals(1, minio.getSpec().getReplicas(), "single-node MinIO");

        // the S3 API port behind the Service named in FACTORY_CACHE_S3_ENDPOINT
        URI endpoint = URI.create(factoryConfig().cache().s3().endpoint().orElseThrow());
        Service service = named(Service.class, endpoint.getHost().split("\\.")[0]);
        assertEquals(MINIO_SERVICE, service.getMetadata().getName());
        assertEquals(service.getMetadata().getName(), minio.getSpec().getServiceName(), "governing Service");
        assertNotEquals("None", service.getSpec().getClusterIP(),
                "a virtual IP, not headless: the JVM caches DNS answers and MinIO's pod IP changes on rescheduling");
        assertSelectsOnly(service.getSpec().getSelector(), minioWorkload, "Service " + MINIO_SERVICE);
        int endpointPort = endpoint.getPort() != -1 ? endpoint.getPort() : "https".equals(endpoint.getScheme()) ? 443 : 80;
        ServicePort port = service.getSpec().getPorts().stream().filter(p -> p.getPort() == endpointPort).findFirst()
                .orElseThrow(() -> new AssertionError("Service " + MINIO_SERVICE + " has no port " + endpointPort));
        assertEquals(MINIO_PORT, resolvePort(server, port.getTargetPort()), "MinIO Service targetPort");
        assertTrue(server.getArgs().contains("--address=:" + MINIO_PORT), "MinIO listens on " + MINIO_PORT);

        // root credentials = the factory's key pair
        Map<String, SecretKeySelector> factory = secretRefs(factoryContainer());
        Map<String, SecretKeySelector> root = secretRefs(server);
        assertSameRef(factory.get("FACTORY_CACHE_S3_ACCESS_KEY"), root.get("MINIO_ROOT_USER"), "MINIO_ROOT_USER");
        assertSameRef(factory.get("FACTORY_CACHE_S3_SECRET_KEY"), root.get("MINIO_ROOT_PASSWORD"), "MINIO_ROOT_PASSWORD");

        // the data directory is the claim template's volume
        int data = server.getArgs().indexOf("server");
        assertTrue(data >= 0 && data + 1 < server.getArgs().size(), "args: server <dir>");
        String dataDir = server.getArgs().get(data + 1);
        String volume = mountAt(server, dataDir).getName();
        PersistentVolumeClaim claim = minio.getSpec().getVolumeClaimTemplates().stream()
                .filter(t -> volume.equals(t.getMetadata().getName())).findFirst()
                .orElseThrow(() -> new AssertionError("MinIO's " + dataDir + " is not from volumeClaimTemplates"));
        assertTrue(claim.getSpec().getAccessModes().contains("ReadWriteOnce"));
        assertNotNull(claim.getSpec().getResources().getRequests().get("storage"), "storage request required");

        // the bootstrap Job: same endpoint, bucket and credentials; waits, then creates the bucket idempotently
        Job job = only(Job.class);
        Container mc = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertTrue(mc.getImage().startsWith("quay.io/minio/mc:"), "mc image " + mc.getImage());
        Map<String, String> fromConfig = new HashMap<>();
        for (EnvVar e : mc.getEnv()) {
            if (e.getValueFrom() != null && e.getValueFrom().getConfigMapKeyRef() != null) {
                assertEquals(CONFIG_MAP, e.getValueFrom().getConfigMapKeyRef().getName(), "the factory's ConfigMap");
                fromConfig.put(e.getValueFrom().getConfigMapKeyRef().getKey(), e.getName());
            }
        }
        assertTrue(fromConfig.containsKey("FACTORY_CACHE_S3_BUCKET"), "the Job reads the factory's bucket setting");
        assertTrue(fromConfig.containsKey("FACTORY_CACHE_S3_ENDPOINT"), "the Job reads the factory's endpoint setting");
        Set<SecretKeySelector> jobSecrets = new HashSet<>(secretRefs(mc).values());
        assertEquals(new HashSet<>(factory.values()), jobSecrets, "the Job uses the factory's key pair");
        String script = String.join("\n", Objects.requireNonNullElse(mc.getCommand(), List.of()))
                + "\n" + String.join("\n", Objects.requireNonNullElse(mc.getArgs(), List.of()));
        assertTrue(script.contains("mc mb --ignore-existing") && script.contains("$" + fromConfig.get("FACTORY_CACHE_S3_BUCKET")),
                "the Job creates the configured bucket idempotently");
        assertTrue(script.contains("until "), "the Job waits for MinIO");
        assertTrue(List.of("OnFailure", "Never").contains(job.getSpec().getTemplate().getSpec().getRestartPolicy()));
        assertNotNull(job.getSpec().getBackoffLimit(), "backoffLimit");
        assertNotNull(job.getSpec().getActiveDeadlineSeconds(), "activeDeadlineSeconds: a stuck Job ends");
    }

    private static void assertSameRef(SecretKeySelector expected, SecretKeySelector actual, String what) {
        assertNotNull(expected, "factory secret reference for " + what);
        assertNotNull(actual, what + " must come from a Secret");
        assertEquals(expected.getName() + "/" + expected.getKey(), actual.getName() + "/" + actual.getKey(), what);
    }

    // ---------------------------------------------------------------- network policies

    @Test
    void networkPoliciesAllowExactlyTheNeededTraffic() {
        Map<String, String> factory = factoryLabels();
        Map<String, String> minio = workload(only(StatefulSet.class)).labels();
        Map<String, String> job = workload(only(Job.class)).labels();
        String ns = only(Namespace.class).getMetadata().getName();
        int http = httpPort(factoryContainer());
        String httpName = "http";

        // every pod is isolated both ways by some policy
        for (Workload w : workloads()) {
            assertFalse(policiesFor(w.labels(), "Ingress").isEmpty(), w.where() + ": no ingress NetworkPolicy");
            assertFalse(policiesFor(w.labels(), "Egress").isEmpty(), w.where() + ": no egress NetworkPolicy");
        }

        // factory in: from the ingress controller's namespace on the HTTP port; not from elsewhere
        Set<String> controllers = new TreeSet<>();
        for (NetworkPolicy p : policiesFor(factory, "Ingress")) {
            for (NetworkPolicyIngressRule r : Objects.requireNonNullElse(p.getSpec().getIngress(), List.<NetworkPolicyIngressRule>of())) {
                for (NetworkPolicyPeer peer : Objects.requireNonNullElse(r.getFrom(), List.<NetworkPolicyPeer>of())) {
                    if (peer.getNamespaceSelector() != null && peer.getNamespaceSelector().getMatchLabels() != null) {
                        String name = peer.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name");
                        if (name != null) {
                            controllers.add(name);
                        }
                    }
                }
            }
        }
        assertFalse(controllers.isEmpty(), "the factory must accept traffic from the ingress controller's namespace");
        for (String controller : controllers) {
            Peer from = Peer.pod(controller, Map.of("app.kubernetes.io/name", "ingress-nginx"));
            assertTrue(ingressAllowed(factory, from, "TCP", http, httpName), "ingress controller -> factory http");
            assertFalse(ingressAllowed(factory, from, "TCP", 9999, "other"), "only the http port");
        }
        assertFalse(ingressAllowed(factory, Peer.pod("elsewhere", Map.of("app", "x")), "TCP", http, httpName),
                "pods of other namespaces must not reach the factory");
        assertFalse(ingressAllowed(factory, Peer.ip("203.0.113.7"), "TCP", http, httpName), "no direct access");
        assertFalse(ingressAllowed(factory, Peer.pod(ns, minio), "TCP", http, httpName),
                "other pods of the namespace (MinIO) must not reach the factory");

        // factory out: DNS, MinIO's S3 port, HTTPS to registries; nothing else
        Peer dns = Peer.pod("kube-system", Map.of("k8s-app", "kube-dns"));
        Peer minioPod = Peer.pod(ns, minio);
        assertTrue(egressAllowed(factory, dns, "UDP", 53, null), "factory -> DNS (UDP)");
        assertTrue(egressAllowed(factory, dns, "TCP", 53, null), "factory -> DNS (TCP)");
        assertFalse(egressAllowed(factory, Peer.pod("elsewhere", Map.of("app", "x")), "UDP", 53, null),
                "DNS only to the cluster DNS namespace");
        assertTrue(egressAllowed(factory, minioPod, "TCP", MINIO_PORT, "s3"), "factory -> MinIO");
        assertTrue(egressAllowed(factory, Peer.ip("140.82.121.34"), "TCP", 443, null), "factory -> registries (443)");
        assertFalse(egressAllowed(factory, Peer.ip("169.254.169.254"), "TCP", 443, null), "no cloud metadata");
        assertFalse(egressAllowed(factory, Peer.ip("140.82.121.34"), "TCP", 80, null), "no plain HTTP out");
        assertFalse(egressAllowed(factory, Peer.pod(ns, Map.of("app", "other")), "TCP", 5432, null),
                "no other in-cluster destinations");

        // MinIO in: only the factory pods and the bootstrap Job, only the S3 port
        assertTrue(ingressAllowed(minio, Peer.pod(ns, factory), "TCP", MINIO_PORT, "s3"), "factory -> MinIO");
        assertTrue(ingressAllowed(minio, Peer.pod(ns, job), "TCP", MINIO_PORT, "s3"), "bootstrap Job -> MinIO");
        assertFalse(ingressAllowed(minio, Peer.pod(ns, Map.of("app", "other")), "TCP", MINIO_PORT, "s3"),
                "other pods of the namespace must not reach MinIO");
        for (String controller : controllers) {
            assertFalse(ingressAllowed(minio, Peer.pod(controller, Map.of()), "TCP", MINIO_PORT, "s3"),
                    "MinIO is not exposed through the ingress controller");
        }
        assertFalse(ingressAllowed(minio, Peer.pod(ns, factory), "TCP", 9001, "console"), "only the S3 port");
        assertFalse(egressAllowed(minio, Peer.ip("140.82.121.34"), "TCP", 443, null), "MinIO needs no egress");

        // the Job: out to DNS and MinIO only
        assertTrue(egressAllowed(job, dns, "UDP", 53, null), "Job -> DNS");
        assertTrue(egressAllowed(job, minioPod, "TCP", MINIO_PORT, "s3"), "Job -> MinIO");
        assertFalse(egressAllowed(job, Peer.ip("140.82.121.34"), "TCP", 443, null), "Job needs no internet");
        assertFalse(ingressAllowed(job, Peer.pod(ns, factory), "TCP", 8080, null), "nothing talks to the Job");

        // the ports allowed are the ports the containers listen on
        assertEquals(MINIO_PORT, httpPort(minioContainer()), "MinIO container port");
    }

    /** A traffic endpoint: a pod (namespace + labels) or an outside address. */
    record Peer(String namespace, Map<String, String> labels, String ip) {
        static Peer pod(String namespace, Map<String, String> labels) {
            return new Peer(namespace, labels, null);
        }

        static Peer ip(String ip) {
            return new Peer(null, null, ip);
        }
    }

    private static List<NetworkPolicy> policiesFor(Map<String, String> podLabels, String type) {
        return all(NetworkPolicy.class).stream()
                .filter(p -> selects(p.getSpec().getPodSelector(), podLabels))
                .filter(p -> p.getSpec().getPolicyTypes() != null && p.getSpec().getPolicyTypes().contains(type))
                .toList();
    }

    private static boolean ingressAllowed(Map<String, String> dest, Peer from, String protocol, int port, String portName) {
        List<NetworkPolicy> policies = policiesFor(dest, "Ingress");
        if (policies.isEmpty()) {
            return true;
        }
        for (NetworkPolicy p : policies) {
            for (NetworkPolicyIngressRule r : Objects.requireNonNullElse(p.getSpec().getIngress(), List.<NetworkPolicyIngressRule>of())) {
                if (peersMatch(r.getFrom(), from, p.getMetadata().getNamespace()) && portsMatch(r.getPorts(), protocol, port, portName)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean egressAllowed(Map<String, String> source, Peer to, String protocol, int port, String portName) {
        List<NetworkPolicy> policies = policiesFor(source, "Egress");
        if (policies.isEmpty()) {
            return true;
        }
        for (NetworkPolicy p : policies) {
            for (NetworkPolicyEgressRule r : Objects.requireNonNullElse(p.getSpec().getEgress(), List.<NetworkPolicyEgressRule>of())) {
                if (peersMatch(r.getTo(), to, p.getMetadata().getNamespace()) && portsMatch(r.getPorts(), protocol, port, portName)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean peersMatch(List<NetworkPolicyPeer> peers, Peer peer, String policyNamespace) {
        if (peers == null || peers.isEmpty()) {
            return true;
        }
        for (NetworkPolicyPeer p : peers) {
            if (p.getIpBlock() != null) {
                if (peer.ip() != null && inBlock(peer.ip(), p.getIpBlock())) {
                    return true;
                }
                continue;
            }
            if (peer.ip() != null) {
                continue;
            }
            boolean namespaceOk = p.getNamespaceSelector() == null
                    ? peer.namespace().equals(policyNamespace)
                    : selects(p.getNamespaceSelector(), namespaceLabels(peer.namespace()));
            boolean podOk = p.getPodSelector() == null || selects(p.getPodSelector(), peer.labels());
            if (namespaceOk && podOk) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, String> namespaceLabels(String namespace) {
        Map<String, String> labels = new HashMap<>();
        all(Namespace.class).stream().filter(n -> n.getMetadata().getName().equals(namespace))
                .forEach(n -> labels.putAll(Objects.requireNonNullElse(n.getMetadata().getLabels(), Map.of())));
        labels.put("kubernetes.io/metadata.name", namespace);
        return labels;
    }

    private static boolean portsMatch(List<NetworkPolicyPort> ports, String protocol, int port, String portName) {
        if (ports == null || ports.isEmpty()) {
            return true;
        }
        for (NetworkPolicyPort p : ports) {
            if (!protocol.equals(Objects.requireNonNullElse(p.getProtocol(), "TCP"))) {
                continue;
            }
            IntOrString value = p.getPort();
            if (value == null) {
                return true;
            }
            if (value.getIntVal() != null) {
                int end = p.getEndPort() != null ? p.getEndPort() : value.getIntVal();
                if (port >= value.getIntVal() && port <= end) {
                    return true;
                }
            } else if (value.getStrVal().equals(portName)) {
                return true;
            }
        }
        return false;
    }

    private static boolean inBlock(String ip, IPBlock block) {
        if (!contains(block.getCidr(), ip)) {
            return false;
        }
        return Objects.requireNonNullElse(block.getExcept(), List.<String>of()).stream().noneMatch(e -> contains(e, ip));
    }

    private static boolean contains(String cidr, String ip) {
        try {
            String[] parts = cidr.split("/");
            byte[] net = InetAddress.getByName(parts[0]).getAddress();
            byte[] addr = InetAddress.getByName(ip).getAddress();
            if (net.length != addr.length) {
                return false;
            }
            int bits = Integer.parseInt(parts[1]);
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >> (i % 8);
                if ((net[i / 8] & mask) != (addr[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            throw new AssertionError("bad address in " + cidr, e);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A pod template of the manifests (Deployment, StatefulSet, Job). */
    record Workload(String where, Map<String, String> labels, PodSpec pod, List<PersistentVolumeClaim> claims) {}

    private static List<Workload> workloads() {
        List<Workload> found = new ArrayList<>();
        for (Manifest m : manifests) {
            if (m.resource() instanceof Deployment || m.resource() instanceof StatefulSet || m.resource() instanceof Job) {
                found.add(workload(m.resource()));
            }
        }
        return found;
    }

    private static Workload workload(HasMetadata resource) {
        String where = resource.getKind() + "/" + resource.getMetadata().getName();
        PodTemplateSpec template;
        List<PersistentVolumeClaim> claims = List.of();
        if (resource instanceof Deployment d) {
            template = d.getSpec().getTemplate();
        } else if (resource instanceof StatefulSet s) {
            template = s.getSpec().getTemplate();
            claims = Objects.requireNonNullElse(s.getSpec().getVolumeClaimTemplates(), List.of());
        } else if (resource instanceof Job j) {
            template = j.getSpec().getTemplate();
        } else {
            throw new AssertionError("not a workload: " + where);
        }
        assertNotNull(template.getMetadata(), where + ": pod template metadata");
        Map<String, String> labels = Objects.requireNonNullElse(template.getMetadata().getLabels(), Map.of());
        return new Workload(where, labels, template.getSpec(), claims);
    }

    /** The selector selects the workload's pods and no other pods of the manifests. */
    private static void assertSelectsOnly(Map<String, String> selector, Workload target, String what) {
        assertFalse(selector == null || selector.isEmpty(), what + ": selector required");
        LabelSelector s = new LabelSelector(null, selector);
        for (Workload w : workloads()) {
            assertEquals(w.pod() == target.pod(), selects(s, w.labels()),
                    what + (w.pod() == target.pod() ? " must select " : " must not select ") + w.where());
        }
    }

    /** Kubernetes label selector semantics (an empty selector selects everything). */
    static boolean selects(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return true;
        }
        if (selector.getMatchLabels() != null
                && !labels.entrySet().containsAll(selector.getMatchLabels().entrySet())) {
            return false;
        }
        for (LabelSelectorRequirement r : Objects.requireNonNullElse(selector.getMatchExpressions(),
                List.<LabelSelectorRequirement>of())) {
            String value = labels.get(r.getKey());
            boolean ok = switch (r.getOperator()) {
                case "In" -> value != null && r.getValues().contains(value);
                case "NotIn" -> value == null || !r.getValues().contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> throw new AssertionError("unknown selector operator " + r.getOperator());
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static JsonNode kustomization() throws IOException {
        Path file = K8S.resolve(KUSTOMIZATION);
        assertTrue(Files.isRegularFile(file), "missing k8s/" + KUSTOMIZATION);
        List<JsonNode> documents = yamlDocuments(Files.readString(file));
        assertEquals(1, documents.size(), "kustomization.yaml must be one document");
        return documents.get(0);
    }

    /**
     * The environment-variable names of every {@code factory.*} property, derived from {@link FactoryConfig}
     * (methods without parameters, nested interfaces are groups; kebab-case names as SmallRye maps them).
     */
    static Set<String> factoryEnvironmentNames() {
        Set<String> properties = new TreeSet<>();
        collectProperties(FactoryConfig.class, "factory", properties);
        return properties.stream().map(p -> p.toUpperCase(Locale.ROOT).replaceAll("[.-]", "_"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static void collectProperties(Class<?> group, String prefix, Set<String> properties) {
        for (Method m : group.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.isDefault() || m.getParameterCount() != 0
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            WithName named = m.getAnnotation(WithName.class);
            String name = named != null ? named.value() : m.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
            Class<?> type = m.getReturnType();
            if (type.isInterface() && type.getName().startsWith("dev.imagefactory.")) {
                collectProperties(type, prefix + "." + name, properties);
            } else {
                properties.add(prefix + "." + name);
            }
        }
    }

    /**
     * The factory container's environment read the way the service reads it: FactoryConfig built from it
     * with Quarkus' converters (so a value that would stop the service from starting fails here).
     */
    private static FactoryConfig factoryConfig() {
        Map<String, String> byEnv = new HashMap<>();
        Set<String> properties = new TreeSet<>();
        collectProperties(FactoryConfig.class, "factory", properties);
        for (String p : properties) {
            byEnv.put(p.toUpperCase(Locale.ROOT).replaceAll("[.-]", "_"), p);
        }
        Map<String, String> values = new HashMap<>();
        containerEnv(factoryContainer()).forEach((k, v) -> {
            if (byEnv.containsKey(k)) {
                values.put(byEnv.get(k), v);
            }
        });
        // secret values are placeholders in the repository
        secretRefs(factoryContainer()).keySet().forEach(k -> values.put(byEnv.get(k), "placeholder"));
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(FactoryConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withConverter(MemorySize.class, 200, new MemorySizeConverter())
                .withSources(new PropertiesConfigSource(values, "k8s/configmap.yaml", 500))
                .build();
        return config.getConfigMapping(FactoryConfig.class);
    }

    private static String host(String url) {
        String host = URI.create(url).getHost();
        assertNotNull(host, "no host in " + url);
        return host;
    }

    private static Set<String> secretKeys(Secret secret) {
        Set<String> keys = new TreeSet<>();
        if (secret.getData() != null) {
            keys.addAll(secret.getData().keySet());
        }
        if (secret.getStringData() != null) {
            keys.addAll(secret.getStringData().keySet());
        }
        return keys;
    }

    /** Environment variables of a container that come from a Secret key, by variable name. */
    private static Map<String, SecretKeySelector> secretRefs(Container c) {
        Map<String, SecretKeySelector> refs = new TreeMap<>();
        for (EnvVar e : Objects.requireNonNullElse(c.getEnv(), List.<EnvVar>of())) {
            if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                refs.put(e.getName(), e.getValueFrom().getSecretKeyRef());
            }
        }
        return refs;
    }

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

    private static Deployment factoryDeployment() {
        return only(Deployment.class);
    }

    private static Workload factoryWorkload() {
        return workload(factoryDeployment());
    }

    private static Map<String, String> factoryLabels() {
        return factoryWorkload().labels();
    }

    private static PodSpec factoryPod() {
        return factoryDeployment().getSpec().getTemplate().getSpec();
    }

    private static Container factoryContainer() {
        return factoryPod().getContainers().get(0);
    }

    private static Container minioContainer() {
        List<Container> containers = only(StatefulSet.class).getSpec().getTemplate().getSpec().getContainers();
        assertEquals(1, containers.size(), "one MinIO container");
        return containers.get(0);
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

    /**
     * The container's environment: ConfigMaps referenced with envFrom, then env entries (literal values and
     * configMapKeyRef values; secretKeyRef entries are left out, see {@link #secretRefs}).
     */
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
        for (EnvVar e : Objects.requireNonNullElse(c.getEnv(), List.<EnvVar>of())) {
            if (e.getValue() != null) {
                env.put(e.getName(), e.getValue());
            } else if (e.getValueFrom() != null && e.getValueFrom().getConfigMapKeyRef() != null) {
                ConfigMapKeySelector ref = e.getValueFrom().getConfigMapKeyRef();
                env.put(e.getName(), named(ConfigMap.class, ref.getName()).getData().get(ref.getKey()));
            }
        }
        return env;
    }

    private static VolumeMount mountAt(Container c, String path) {
        return c.getVolumeMounts().stream().filter(m -> path.equals(m.getMountPath())).findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted at " + path + " in container " + c.getName()));
    }

    private static Volume volumeMountedAt(Workload w, Container c, String path) {
        String name = mountAt(c, path).getName();
        return w.pod().getVolumes().stream().filter(v -> name.equals(v.getName())).findFirst()
                .orElseThrow(() -> new AssertionError(w.where() + ": volume " + name + " (mounted at " + path + ") is not defined"));
    }
}
