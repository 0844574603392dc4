package dev.imagefactory.oci;

import dev.imagefactory.model.Digest;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real OCI registry for tests: Debian's {@code docker-registry} (the CNCF distribution registry) serving a temp
 * storage directory on 127.0.0.1 and a free port, optionally behind htpasswd (bcrypt) Basic authentication.
 * The package's system service is not used; each test run writes its own configuration.
 */
public final class LocalRegistry implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/bin/docker-registry");
    public static final Path HTPASSWD = Path.of("/usr/bin/htpasswd");
    private static final Duration STARTUP = Duration.ofSeconds(20);

    private final Process process;
    private final String host;
    private final Path storage;
    private final Path log;

    private LocalRegistry(Process process, String host, Path storage, Path log) {
        this.process = process;
        this.host = host;
        this.storage = storage;
        this.log = log;
    }

    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    public static LocalRegistry start(Path workDir) throws IOException {
        return start(workDir, Optional.empty());
    }

    /** Starts a registry that accepts only {@code user} (Basic authentication from an htpasswd file). */
    public static LocalRegistry start(Path workDir, Optional<RegistryCredentials> user) throws IOException {
        Path storage = Files.createDirectories(workDir.resolve("storage"));
        Path htpasswd = null;
        if (user.isPresent()) {
            htpasswd = workDir.resolve("htpasswd");
            Files.writeString(htpasswd, bcryptLine(user.get()));
        }
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) { // a free port may be taken between probe and bind
            int port = freePort();
            Path config = workDir.resolve("config.yml");
            Files.writeString(config, config(storage, port, htpasswd));
            Path log = workDir.resolve("registry.log");
            Process process = new ProcessBuilder(BINARY.toString(), "serve", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            LocalRegistry registry = new LocalRegistry(process, "127.0.0.1:" + port, storage, log);
            try {
                registry.awaitReady();
                return registry;
            } catch (IOException e) {
                registry.close();
                last = e;
            }
        }
        throw last;
    }

    /** {@code 127.0.0.1:<port>}, the registry part of image references. */
    public String host() {
        return host;
    }

    public Path storage() {
        return storage;
    }

    /** Where the filesystem driver keeps a blob's bytes: a test may corrupt them here. */
    public Path blobData(Digest digest) {
        return storage.resolve("docker/registry/v2/blobs").resolve(digest.algorithm().id())
                .resolve(digest.hex().substring(0, 2)).resolve(digest.hex()).resolve("data");
    }

    public RegistryClient client() {
        return client(Optional.empty());
    }

    public RegistryClient client(Optional<RegistryCredentials> credentials) {
        return new RegistryClient(new RegistryEndpoint(host, true, credentials), Duration.ofSeconds(10),
                Duration.ofSeconds(60));
    }

    /** Runs skopeo against this registry (plain HTTP); returns its exit code and output. */
    public SkopeoResult skopeo(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("skopeo"));
        command.addAll(List.of(arguments));
        Process skopeo = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(skopeo.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!skopeo.waitFor(60, TimeUnit.SECONDS)) {
            skopeo.destroyForcibly();
            throw new IOException("skopeo did not finish: " + command);
        }
        return new SkopeoResult(skopeo.exitValue(), output);
    }

    public record SkopeoResult(int exitCode, String output) {
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void awaitReady() throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest ping = HttpRequest.newBuilder(URI.create("http://" + host + "/v2/"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("docker-registry exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            try {
                int status = http.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200 || status == 401) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for docker-registry", e);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for docker-registry", e);
            }
        }
        throw new IOException("docker-registry did not answer on " + host + " within " + STARTUP + ": "
                + Files.readString(log));
    }

    private static String config(Path storage, int port, Path htpasswd) {
        String auth = htpasswd == null ? "" : """
                auth:
                  htpasswd:
                    realm: test-registry
                    path: %s
                """.formatted(htpasswd);
        return """
                version: 0.1
                log:
                  level: warn
                  accesslog:
                    disabled: true
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:%d
                  secret: local-test-registry
                %s""".formatted(storage, port, auth);
    }

    /** An htpasswd line with a bcrypt hash, made by apache2-utils' htpasswd (the registry accepts only bcrypt). */
    private static String bcryptLine(RegistryCredentials user) throws IOException {
        if (!Files.isExecutable(HTPASSWD)) {
            throw new IOException(HTPASSWD + " is missing: install apache2-utils");
        }
        Process p = new ProcessBuilder(HTPASSWD.toString(), "-nbB", user.username(), user.password())
                .redirectErrorStream(true).start();
        String line = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (p.waitFor() != 0 || !line.startsWith(user.username() + ":$2")) {
                throw new IOException("htpasswd failed: " + line);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return line + "\n";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
