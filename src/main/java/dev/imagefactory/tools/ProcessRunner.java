package dev.imagefactory.tools;

import dev.imagefactory.content.DaemonThreads;
import dev.imagefactory.content.ConcurrentDigests;
import dev.imagefactory.content.HashedFileWriter;
import dev.imagefactory.content.Reproducible;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.jboss.logging.Logger;

/**
 * Runs one external tool (mksquashfs, cpio, zstd, depmod, ...): an argument array, never a shell, so no argument is
 * ever re-parsed; stdin/stdout from or to files (artifacts are streamed, never held in memory); stderr kept (its
 * last 8 KiB) for the error message; a timeout after which the process tree is killed. Output is drained on this
 * class's own threads while the tool runs (see {@link #DRAINS}).
 */
public final class ProcessRunner {

    private static final Logger LOG = Logger.getLogger(ProcessRunner.class);
    private static final int STDERR_KEEP = 8192;
    /** Captured stdout is for small answers (versions, listings); artifacts go to files. */
    private static final int STDOUT_KEEP = 4 << 20;

    /**
     * The most tools whose output is drained at once (two threads each). Far above what the build slots let run;
     * a tool beyond it is refused rather than left to block on a full pipe.
     */
    static final int MAX_DRAINING_TOOLS = 128;
    /**
     * Drains tool output on threads of its own, never on the common pool: a drain queued there behind others (the
     * common pool has one thread per core, shared with everything else) leaves its tool blocked on a full pipe, and
     * the drains ahead of it wait for their own tools, which may be the blocked ones. Here a drain never waits for
     * a thread: one is made when none is idle (no queue), up to the bound; idle ones end after a while. Daemon
     * threads, so a stuck tool never keeps the JVM alive.
     */
    private static final ThreadPoolExecutor DRAINS = new ThreadPoolExecutor(0, 2 * MAX_DRAINING_TOOLS, 30,
            TimeUnit.SECONDS, new SynchronousQueue<>(), DaemonThreads.named("tool-output-"));

    /** How often a watched input's read position is looked at. */
    private static final Duration READ_REPORT_INTERVAL = Duration.ofMillis(200);

    private final Duration timeout;

    public ProcessRunner(Duration timeout) {
        this.timeout = timeout;
    }

    /**
     * What to run: the command, its working directory, where stdin/stdout come from or go (null = nothing), and
     * optionally an input file whose reading is reported as it goes (see {@link #reportingReadsOf}).
     */
    public record Command(List<String> args, Path workDir, Path stdinFile, Path stdoutFile, boolean appendStdout,
            Map<String, String> environment, Path watchedInput, LongConsumer readBytes,
            HashedFileWriter stdoutWriter) {

        public static Command of(String... args) {
            return new Command(List.of(args), null, null, null, false, Map.of(), null, null, null);
        }

        public static Command of(List<String> args) {
            return new Command(List.copyOf(args), null, null, null, false, Map.of(), null, null, null);
        }

        public Command in(Path dir) {
            return new Command(args, dir, stdinFile, stdoutFile, appendStdout, environment, watchedInput, readBytes,
                    stdoutWriter);
        }

        public Command stdinFrom(Path file) {
            return new Command(args, workDir, file, stdoutFile, appendStdout, environment, watchedInput, readBytes,
                    stdoutWriter);
        }

        public Command stdoutTo(Path file) {
            return new Command(args, workDir, stdinFile, file, false, environment, watchedInput, readBytes, null);
        }

        public Command stdoutAppendedTo(Path file) {
            return new Command(args, workDir, stdinFile, file, true, environment, watchedInput, readBytes, null);
        }

        public Command withEnv(Map<String, String> env) {
            return new Command(args, workDir, stdinFile, stdoutFile, appendStdout, Map.copyOf(env), watchedInput,
                    readBytes, stdoutWriter);
        }

        /**
         * Tells {@code readBytes}, a few times a second while the tool runs, how many bytes of {@code input} it has
         * read so far (rising values; called on the thread that runs the tool).
         */
        public Command reportingReadsOf(Path input, LongConsumer readBytes) {
            return new Command(args, workDir, stdinFile, stdoutFile, appendStdout, environment, input, readBytes,
                    stdoutWriter);
        }

        /**
         * Sends stdout into {@code writer} (hashed and flushed as it comes, on a thread of this class's) instead of
         * the kernel writing it to a file: the tool's output is then hashed while the tool runs. The caller finishes
         * the writer after the run. A failure to write kills the tool.
         */
        public Command stdoutInto(HashedFileWriter writer) {
            return new Command(args, workDir, stdinFile, null, false, environment, watchedInput, readBytes, writer);
        }
    }

    /** The captured output of a successful run (stdout only when it was not sent to a file). */
    public record Result(String stdout, String stderr) {
    }

    /** Told how long each tool ran (e.g. to count it in metrics); at most one, set at start-up. */
    public interface Observer {
        void finished(String tool, long nanos, boolean succeeded);
    }

    private static volatile Observer observer = (tool, nanos, succeeded) -> { };

    /** Sets the one {@link Observer} of every runner's tools (the metrics bean does, at start-up). */
    public static void observe(Observer newObserver) {
        observer = newObserver;
    }

    /**
     * Runs a tool that writes an artifact to stdout and takes it into {@code output} (created or replaced), hashed
     * and flushed while the tool writes it ({@link Command#stdoutInto}); returns its size and SHA-256, which the
     * cache then takes without reading the file again.
     */
    public ConcurrentDigests.FileDigests runInto(Command command, Path output) throws IOException {
        try (HashedFileWriter writer = HashedFileWriter.create(output)) {
            run(command.stdoutInto(writer));
            return writer.finish();
        }
    }

    public Result run(Command command) {
        String tool = command.args().get(0);
        long started = System.nanoTime();
        boolean succeeded = false;
        try {
            Result result = runOnce(command, tool, started);
            succeeded = true;
            return result;
        } finally {
            observer.finished(Path.of(tool).getFileName().toString(), System.nanoTime() - started, succeeded);
        }
    }

    private Result runOnce(Command command, String tool, long started) {
        ProcessBuilder builder = new ProcessBuilder(command.args());
        if (command.workDir() != null) {
            builder.directory(command.workDir().toFile());
        }
        // tools that stamp times (mkfs.vfat, xorriso, ...) then give the same bytes every build
        builder.environment().put("SOURCE_DATE_EPOCH", Long.toString(Reproducible.SOURCE_DATE_EPOCH));
        builder.environment().put("LC_ALL", "C");
        builder.environment().putAll(command.environment());
        builder.redirectInput(command.stdinFile() == null ? ProcessBuilder.Redirect.from(nullFile())
                : ProcessBuilder.Redirect.from(command.stdinFile().toFile()));
        if (command.stdoutFile() != null) {
            builder.redirectOutput(command.appendStdout()
                    ? ProcessBuilder.Redirect.appendTo(command.stdoutFile().toFile())
                    : ProcessBuilder.Redirect.to(command.stdoutFile().toFile()));
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new ToolException(tool + " could not be started: " + e.getMessage(), e);
        }
        CompletableFuture<String> stdout;
        CompletableFuture<String> stderr;
        try {
            if (command.stdoutWriter() != null) {
                stdout = CompletableFuture.supplyAsync(() -> pump(process, command.stdoutWriter()), DRAINS);
            } else {
                stdout = command.stdoutFile() == null
                        ? CompletableFuture.supplyAsync(() -> drain(process.getInputStream(), STDOUT_KEEP), DRAINS)
                        : CompletableFuture.completedFuture("");
            }
            stderr = CompletableFuture.supplyAsync(() -> drain(process.getErrorStream(), STDERR_KEEP), DRAINS);
        } catch (RejectedExecutionException e) {
            kill(process);
            throw new ToolException(tool + " was not run: more than " + MAX_DRAINING_TOOLS
                    + " tools are running at once", e);
        }
        try {
            if (!waitFor(process, command)) {
                kill(process);
                throw new ToolException(tool + " timed out after " + timeout.toSeconds() + "s: " + stderr.getNow(""));
            }
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw new ToolException(tool + " was interrupted", e);
        }
        String out;
        try {
            out = stdout.join();
        } catch (java.util.concurrent.CompletionException e) {
            // the tool was killed: its stderr may be cut off, and is not the story
            throw new ToolException(tool + "'s output could not be written: " + e.getCause().getMessage(),
                    e.getCause());
        }
        String err = stderr.join();
        LOG.debugf("%s finished with %d in %d ms", command.args(), process.exitValue(),
                (System.nanoTime() - started) / 1_000_000);
        if (process.exitValue() != 0) {
            throw new ToolException(tool + " failed with exit code " + process.exitValue() + ": " + err.strip());
        }
        return new Result(out, err);
    }

    /** Waits for the tool within the timeout, reporting its reads of the watched input meanwhile if asked to. */
    private boolean waitFor(Process process, Command command) throws InterruptedException {
        if (command.watchedInput() == null) {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        ReadPosition position = new ReadPosition(process.pid(), command.watchedInput());
        long reported = -1;
        while (true) {
            long left = deadline - System.nanoTime();
            if (process.waitFor(Math.min(left, READ_REPORT_INTERVAL.toNanos()), TimeUnit.NANOSECONDS)) {
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            OptionalLong now = position.now();
            if (now.isPresent() && now.getAsLong() > reported) {
                reported = now.getAsLong();
                command.readBytes().accept(reported);
            }
        }
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static java.io.File nullFile() {
        return new java.io.File("/dev/null");
    }

    /** Pumps the tool's stdout into {@code writer}; when writing fails the tool is killed (not left on a full pipe). */
    private static String pump(Process process, HashedFileWriter writer) {
        try (InputStream in = process.getInputStream()) {
            writer.pump(in);
            return "";
        } catch (IOException e) {
            kill(process);
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a stream to its end, keeping at most its last {@code keep} bytes (a noisy tool cannot fill the heap). */
    private static String drain(InputStream in, int keep) {
        try (in) {
            byte[] buffer = new byte[8192];
            ByteArrayOutputStream kept = new ByteArrayOutputStream();
            int n;
            while ((n = in.read(buffer)) > 0) {
                kept.write(buffer, 0, n);
                if (kept.size() > 2 * keep) {
                    byte[] all = kept.toByteArray();
                    kept.reset();
                    kept.write(all, all.length - keep, keep);
                }
            }
            byte[] bytes = kept.toByteArray();
            int from = Math.max(0, bytes.length - keep);
            return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
