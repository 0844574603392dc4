package dev.imagefactory.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.tools.ProcessRunner.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verbose tools run at the same time must all finish: each writes far more than a pipe holds to stdout and to
 * stderr, so each needs both its streams drained while it runs. More tools run at once than the common fork-join
 * pool has threads; drains queued there behind drains waiting for their own tools would leave tools blocked on
 * full pipes until the timeout kills them.
 *
 * <p>The tools run in a child JVM whose common pool has {@value #COMMON_POOL_THREADS} threads, so the test means
 * the same on every machine (on one with two cores the JDK gives {@code CompletableFuture} a thread per task instead
 * of the common pool, which would hide the problem).
 */
class ProcessRunnerConcurrencyTest {

    static final int COMMON_POOL_THREADS = 2;
    static final int TOOLS = 4 * COMMON_POOL_THREADS;
    /** 16 pipe buffers of 64 KiB on each stream. */
    static final int BYTES_PER_STREAM = 1 << 20;
    static final Duration TOOL_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    @Test
    void concurrentVerboseToolsAllFinish() throws Exception {
        Path log = tmp.resolve("child.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java,
                "-Djava.util.concurrent.ForkJoinPool.common.parallelism=" + COMMON_POOL_THREADS,
                "-cp", System.getProperty("java.class.path"), Child.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean exited = child.waitFor(TOOL_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS);
        if (!exited) {
            child.descendants().forEach(ProcessHandle::destroyForcibly);
            child.destroyForcibly();
        }
        String output = Files.readString(log);
        assertTrue(exited, "the child JVM did not end: " + output);
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains(TOOLS + " tools finished"), output);
    }

    /** Runs the verbose tools at once through one ProcessRunner; exit code 0 when every one finished in time. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            ProcessRunner runner = new ProcessRunner(TOOL_TIMEOUT);
            String script = "yes | head -c " + BYTES_PER_STREAM + "; yes | head -c " + BYTES_PER_STREAM + " >&2";
            ExecutorService builds = Executors.newFixedThreadPool(TOOLS);
            List<Future<ProcessRunner.Result>> results = new ArrayList<>();
            long started = System.nanoTime();
            for (int i = 0; i < TOOLS; i++) {
                results.add(builds.submit(() -> runner.run(Command.of("sh", "-c", script))));
            }
            int failed = 0;
            for (Future<ProcessRunner.Result> result : results) {
                try {
                    ProcessRunner.Result done = result.get();
                    if (done.stdout().length() != BYTES_PER_STREAM) {
                        throw new IOException("stdout has " + done.stdout().length() + " characters");
                    }
                } catch (Exception e) {
                    failed++;
                    System.out.println("a tool failed: " + e);
                }
            }
            builds.shutdownNow();
            System.out.println((TOOLS - failed) + " tools finished in "
                    + (System.nanoTime() - started) / 1_000_000 + " ms");
            System.exit(failed == 0 ? 0 : 1);
        }
    }
}
