package dev.imagefactory.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.imagefactory.deploy.DockerfileModel.Instruction;
import dev.imagefactory.deploy.DockerfileModel.Stage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Guards the repository's Dockerfile by reading it: no container engine is available where the tests
 * run, so these checks catch the mistakes a build would only reveal later (wrong volume, missing
 * tool, root user, no health check).
 */
class DockerfileTest {

    /** Debian packages the image builders shell out to; all must be in the runtime image. */
    static final List<String> RUNTIME_TOOLS = List.of(
            "squashfs-tools", "xorriso", "grub-common", "grub-pc-bin", "grub-efi-amd64-bin", "mtools", "dosfstools",
            "kmod", "xfsprogs",
            "qemu-utils", "zstd", "xz-utils", "pigz", "cpio", "ca-certificates");

    static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();

    private static DockerfileModel dockerfile;
    private static Stage runtime;
    private static Map<String, String> env;

    @BeforeAll
    static void read() {
        Path file = ROOT.resolve("Dockerfile");
        assertTrue(Files.isRegularFile(file), "missing " + file);
        dockerfile = DockerfileModel.read(file);
        runtime = dockerfile.finalStage();
        env = runtime.env();
    }

    @Test
    void buildsTheFastJarInASeparateStageAndCopiesIt() {
        assertTrue(dockerfile.stages().size() >= 2, "expected a multi-stage build");
        Stage build = dockerfile.stages().get(0);
        assertNotNull(build.name(), "the build stage needs a name for COPY --from");
        assertTrue(dockerfile.resolvedBase(build).matches("maven:.*(temurin|jdk|openjdk)-?17.*"),
                "build stage should be a Maven + JDK 17 image, got " + dockerfile.resolvedBase(build));
        boolean packages = build.all("RUN").stream()
                .flatMap(r -> DockerfileModel.shellCommands(r.args()).stream())
                .anyMatch(cmd -> cmd.get(0).equals("mvn") && cmd.contains("package"));
        assertTrue(packages, "build stage must run mvn ... package");

        Pattern copyApp = Pattern.compile("--from=" + Pattern.quote(build.name())
                + "\\s+\\S*target/image-factory-runner\\.jar\\s+(\\S+)");
        Optional<String> appDir = runtime.all("COPY").stream()
                .map(c -> copyApp.matcher(c.args()))
                .filter(m -> m.find())
                .map(m -> m.group(1))
                .findFirst();
        assertTrue(appDir.isPresent(), "runtime stage must copy target/image-factory-runner.jar from the build stage");

        List<String> entrypoint = DockerfileModel.execForm(runtime.last("ENTRYPOINT").orElseThrow());
        int java = entrypoint.indexOf("java");
        assertTrue(java >= 0, "ENTRYPOINT must start java: " + entrypoint);
        int jar = entrypoint.indexOf("-jar");
        assertTrue(jar > java && jar + 1 < entrypoint.size(), "ENTRYPOINT must run java -jar: " + entrypoint);
        String runJar = entrypoint.get(jar + 1);
        String workdir = runtime.last("WORKDIR").map(Instruction::args).orElse("/");
        String absoluteJar = runJar.startsWith("/") ? runJar : workdir + "/" + runJar;
        assertEquals(trimSlash(appDir.get()) + "/image-factory-runner.jar", absoluteJar,
                "ENTRYPOINT must run the copied image-factory-runner.jar");
    }

    @Test
    void jvmIsContainerAware() {
        String flags = String.join(" ",
                String.join(" ", DockerfileModel.execForm(runtime.last("ENTRYPOINT").orElseThrow())),
                env.getOrDefault("JDK_JAVA_OPTIONS", ""),
                env.getOrDefault("JAVA_TOOL_OPTIONS", ""));
        assertTrue(flags.matches(".*-XX:MaxRAMPercentage=\\d+(\\.\\d+)?.*"),
                "heap must follow the container memory limit (-XX:MaxRAMPercentage): " + flags);
        assertFalse(flags.matches(".*-Xmx\\S+.*"), "a fixed -Xmx ignores the container limit: " + flags);
    }

    /** The image starts the JVM as scripts/run and bench/startup-to-ready do (issue 20: start-up time). */
    @Test
    void jvmHasTheLaunchOptions() throws IOException {
        List<String> options = Files.readAllLines(ROOT.resolve("scripts/jvm-options")).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#")).toList();
        assertFalse(options.isEmpty(), "scripts/jvm-options lists no option");
        List<String> flags = List.of(env.getOrDefault("JDK_JAVA_OPTIONS", "").split("\\s+"));
        for (String option : options) {
            assertTrue(flags.contains(option), "JDK_JAVA_OPTIONS lacks " + option + " of scripts/jvm-options: " + flags);
        }
    }

    @Test
    void runtimeIsDebian12WithAJre() {
        String base = dockerfile.resolvedBase(runtime);
        if (base.startsWith("debian:")) {
            assertTrue(base.startsWith("debian:bookworm") || base.startsWith("debian:12"),
                    "runtime should be Debian 12, got " + base);
            assertTrue(runtime.aptInstalled().stream().anyMatch(p -> p.matches("openjdk-17-jre(-headless)?")),
                    "a Debian base needs a JRE 17 from apt");
        } else {
            assertTrue(base.matches("eclipse-temurin:17.*jre.*"), "unexpected runtime base " + base);
        }
    }

    @Test
    void installsEveryBuildTool() {
        List<String> installed = runtime.aptInstalled();
        List<String> missing = new ArrayList<>(RUNTIME_TOOLS);
        missing.removeAll(installed);
        assertTrue(missing.isEmpty(), "runtime stage does not apt-get install " + missing + " (has " + installed + ")");
        boolean noRecommends = runtime.all("RUN").stream()
                .filter(r -> r.args().contains("install"))
                .allMatch(r -> r.args().contains("--no-install-recommends"));
        assertTrue(noRecommends, "apt-get install should use --no-install-recommends");
        boolean cleansLists = runtime.all("RUN").stream()
                .anyMatch(r -> r.args().contains("rm -rf /var/lib/apt/lists"));
        assertTrue(cleansLists, "apt lists should be removed in the same layer");
    }

    @Test
    void dataDirectoryIsAVolume() {
        String dataDir = env.get("FACTORY_DATA_DIR");
        assertNotNull(dataDir, "runtime stage must set ENV FACTORY_DATA_DIR");
        assertTrue(dataDir.startsWith("/"), "FACTORY_DATA_DIR must be absolute: " + dataDir);
        List<String> volumes = new ArrayList<>();
        for (Instruction v : runtime.all("VOLUME")) {
            volumes.addAll(v.args().startsWith("[") ? DockerfileModel.execForm(v) : DockerfileModel.shellWords(v.args()));
        }
        assertTrue(volumes.stream().map(DockerfileTest::trimSlash).anyMatch(trimSlash(dataDir)::equals),
                "VOLUME " + volumes + " must include FACTORY_DATA_DIR " + dataDir);

        String releases = env.get("FACTORY_RELEASES_DIR");
        assertNotNull(releases, "runtime stage must set ENV FACTORY_RELEASES_DIR");
        assertTrue(releases.startsWith(trimSlash(dataDir) + "/"), "releases should live on the data volume: " + releases);

        // The directory must exist and belong to the service user before VOLUME, or a fresh
        // named volume is created root-owned and unwritable.
        String uid = user().split(":")[0];
        boolean chowned = runtime.all("RUN").stream()
                .anyMatch(r -> r.args().matches("(?s).*chown\\s+(-R\\s+)?(" + uid + "|factory)\\S*\\s+"
                        + Pattern.quote(trimSlash(dataDir)) + ".*"));
        assertTrue(chowned, "the data directory must be chown'ed to the service user");
    }

    @Test
    void catalogsAreBakedIntoTheImage() {
        String catalogDir = env.get("FACTORY_CATALOG_DIR");
        assertNotNull(catalogDir, "runtime stage must set ENV FACTORY_CATALOG_DIR");
        for (String folder : List.of("extensions-catalog", "overlays")) {
            Pattern copy = Pattern.compile("^(--\\S+\\s+)*" + Pattern.quote(folder) + "/?\\s+"
                    + Pattern.quote(trimSlash(catalogDir) + "/" + folder) + "/?$");
            assertTrue(runtime.all("COPY").stream().anyMatch(c -> copy.matcher(c.args()).matches()),
                    "runtime stage must COPY " + folder + "/ to " + catalogDir + "/" + folder + "/");
        }
    }

    @Test
    void runsAsANumericNonRootUser() {
        String user = user();
        String uid = user.split(":")[0];
        // Kubernetes can only verify runAsNonRoot for a numeric USER.
        assertTrue(uid.matches("\\d+"), "USER should be numeric, got " + user);
        assertNotEquals("0", uid, "USER must not be root");
    }

    @Test
    void healthCheckHitsHealthz() {
        Instruction healthcheck = runtime.last("HEALTHCHECK").orElseThrow(() -> new AssertionError("no HEALTHCHECK"));
        String args = healthcheck.args();
        assertFalse(args.strip().equalsIgnoreCase("NONE"), "HEALTHCHECK NONE");
        assertTrue(args.matches("(?s).*\\bCMD\\b.*"), "HEALTHCHECK needs a CMD: " + args);
        assertTrue(args.matches("(?s).*http://(127\\.0\\.0\\.1|localhost):\\S*/healthz\\b.*"),
                "HEALTHCHECK must request /healthz on the loopback address: " + args);
        if (args.contains("curl")) {
            assertTrue(runtime.aptInstalled().contains("curl"), "HEALTHCHECK uses curl, which is not installed");
        }
    }

    @Test
    void exposesTheHttpPort() {
        String port = env.getOrDefault("QUARKUS_HTTP_PORT", "8080");
        List<String> exposed = runtime.all("EXPOSE").stream()
                .flatMap(e -> DockerfileModel.shellWords(e.args()).stream())
                .map(p -> p.replace("/tcp", ""))
                .toList();
        assertTrue(exposed.contains(port), "EXPOSE " + exposed + " must include the HTTP port " + port);
    }

    @Test
    void dockerignoreKeepsTheContextSmallButComplete() throws IOException {
        Path file = ROOT.resolve(".dockerignore");
        assertTrue(Files.isRegularFile(file), "missing .dockerignore");
        List<String> patterns = Files.readAllLines(file).stream()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
        for (String kept : List.of("pom.xml", "src/main/java/dev/imagefactory/A.java",
                "src/main/resources/application.properties", "extensions-catalog/x.yaml", "overlays/x.yaml")) {
            assertFalse(ignored(patterns, kept), ".dockerignore drops " + kept + ", which the Dockerfile needs");
        }
        for (String dropped : List.of("target/image-factory-runner.jar", ".git/HEAD", "data/schematics/x")) {
            assertTrue(ignored(patterns, dropped), ".dockerignore should exclude " + dropped);
        }
    }

    @Test
    void modelUnderstandsContinuationsCommentsAndQuotes() {
        DockerfileModel model = DockerfileModel.parse("""
                ARG BASE=debian:bookworm-slim
                FROM ${BASE} AS rt
                # comment
                RUN apt-get update && \\
                    # comment inside a continuation
                    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\
                      zstd=1.5* cpio; rm -rf /var/lib/apt/lists/*
                ENV A=1 B="two words"
                ENV LEGACY some value
                """);
        Stage stage = model.finalStage();
        assertEquals("debian:bookworm-slim", model.resolvedBase(stage));
        assertEquals(List.of("zstd", "cpio"), stage.aptInstalled());
        assertEquals(Map.of("A", "1", "B", "two words", "LEGACY", "some value"), stage.env());
        assertThrows(IllegalArgumentException.class, () -> DockerfileModel.parse("RUN true\n"));
        assertThrows(IllegalArgumentException.class, () -> DockerfileModel.parse("FROM x\nRUN a \\"));
    }

    private static String user() {
        return runtime.last("USER").map(Instruction::args).map(String::strip)
                .orElseGet(() -> fail("runtime stage has no USER (it would run as root)"));
    }

    private static String trimSlash(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    /**
     * .dockerignore semantics as the Docker builder applies them: patterns in order, the last one
     * that matches the path or one of its parent directories decides, '!' re-includes.
     */
    static boolean ignored(List<String> patterns, String path) {
        boolean ignored = false;
        for (String raw : patterns) {
            boolean negate = raw.startsWith("!");
            String pattern = trimSlash((negate ? raw.substring(1) : raw).strip());
            if (pattern.startsWith("/")) {
                pattern = pattern.substring(1);
            }
            Pattern regex = Pattern.compile(globToRegex(pattern));
            String candidate = path;
            boolean matches = false;
            while (!candidate.isEmpty()) {
                if (regex.matcher(candidate).matches()) {
                    matches = true;
                    break;
                }
                int slash = candidate.lastIndexOf('/');
                candidate = slash < 0 ? "" : candidate.substring(0, slash);
            }
            if (matches) {
                ignored = !negate;
            }
        }
        return ignored;
    }

    private static String globToRegex(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                i++;
                if (i + 1 < glob.length() && glob.charAt(i + 1) == '/') {
                    i++;
                    re.append("(?:.*/)?");
                } else {
                    re.append(".*");
                }
            } else if (c == '*') {
                re.append("[^/]*");
            } else if (c == '?') {
                re.append("[^/]");
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return re.toString();
    }
}
