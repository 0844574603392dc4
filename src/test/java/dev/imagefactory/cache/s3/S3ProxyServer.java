package dev.imagefactory.cache.s3;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real S3-compatible server for the tests: S3Proxy (filesystem backend, AWS signature checks on) started as its own
 * process on 127.0.0.1, from the jar the Maven build copies to {@code target/s3proxy/s3proxy.jar}. It can be killed
 * and started again on the same port and data (an outage), and its objects are plain files (to damage one).
 */
public final class S3ProxyServer implements AutoCloseable {

    public static final String ACCESS_KEY = "factory-test";
    public static final String SECRET_KEY = "factory-test-secret";
    public static final String BUCKET = "image-factory";

    private final Path dir;
    private final Path data;
    private final int port;
    private Process process;

    private S3ProxyServer(Path dir, int port) {
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
    }

    public static S3ProxyServer start(Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        S3ProxyServer server = new S3ProxyServer(dir, port);
        Files.createDirectories(server.data);
        Files.writeString(dir.resolve("s3proxy.conf"), String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem-nio2",
                "jclouds.filesystem.basedir=" + server.data, ""));
        server.startProcess();
        return server;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** The file holding an object of {@link #BUCKET}. */
    public Path objectFile(String object) {
        return data.resolve(BUCKET).resolve(object);
    }

    /** The service's settings for this server, as {@code -D} properties. */
    public List<String> factoryProperties() {
        return List.of("factory.cache.backend=s3", "factory.cache.s3.endpoint=" + endpoint(),
                "factory.cache.s3.bucket=" + BUCKET, "factory.cache.s3.access-key=" + ACCESS_KEY,
                "factory.cache.s3.secret-key=" + SECRET_KEY);
    }

    public S3Settings settings(Duration leaseTtl) {
        return new S3Settings(endpoint(), "us-east-1", BUCKET, ACCESS_KEY, SECRET_KEY, true, false,
                Duration.ofMinutes(10), leaseTtl);
    }

    /** An outage: the process is killed (SIGKILL), connections are refused until {@link #restart()}. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /**
     * A hung server (SIGSTOP): connections are still accepted by the kernel, but nothing is answered until
     * {@link #resume()}.
     */
    public void freeze() throws Exception {
        signal("STOP");
    }

    /** Ends {@link #freeze()} (SIGCONT). */
    public void resume() throws Exception {
        signal("CONT");
    }

    private void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    public void restart() throws Exception {
        startProcess();
    }

    private void startProcess() throws Exception {
        String jar = System.getProperty("s3proxy.jar", "target/s3proxy/s3proxy.jar");
        if (!Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException(jar + " is missing: the Maven build copies it (generate-test-resources)");
        }
        Path log = dir.resolve("s3proxy.log");
        process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-jar", jar, "--properties", dir.resolve("s3proxy.conf").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("s3proxy exited early; see " + log);
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("s3proxy not listening within 60s; see " + log);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            kill();
        }
    }
}
