package dev.imagefactory.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.content.ConcurrentDigests;
import dev.imagefactory.content.Digests;
import dev.imagefactory.content.HashedFileWriter;
import dev.imagefactory.content.Reproducible;
import dev.imagefactory.model.Digest.Algorithm;
import dev.imagefactory.tools.ProcessRunner.Command;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessRunnerTest {

    private final ProcessRunner runner = new ProcessRunner(Duration.ofSeconds(5));

    @TempDir
    Path tmp;

    @Test
    void argumentsAreNeverParsedByAShell() {
        String tricky = "$(touch " + tmp.resolve("pwned") + "); `id` | ; *";
        assertEquals(tricky + "\n", runner.run(Command.of("echo", tricky)).stdout());
        assertTrue(Files.notExists(tmp.resolve("pwned")));
    }

    @Test
    void aFailureCarriesTheToolsStderrAndExitCode() {
        ToolException e = assertThrows(ToolException.class,
                () -> runner.run(Command.of("sh", "-c", "echo 'it broke' >&2; exit 3")));
        assertTrue(e.getMessage().contains("exit code 3") && e.getMessage().contains("it broke"), e.getMessage());
    }

    @Test
    void aHungToolIsKilledAtTheTimeout() {
        long started = System.nanoTime();
        ToolException e = assertThrows(ToolException.class,
                () -> new ProcessRunner(Duration.ofMillis(300)).run(Command.of("sleep", "30")));
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(10).toNanos(), "did not wait for sleep 30");
    }

    @Test
    void filesFeedStdinAndReceiveStdoutAndSourceDateEpochIsPinned() throws Exception {
        Path in = Files.writeString(tmp.resolve("in"), "hello");
        Path out = tmp.resolve("out");
        runner.run(Command.of("cat").stdinFrom(in).stdoutTo(out));
        runner.run(Command.of("sh", "-c", "printf %s \"$SOURCE_DATE_EPOCH\"").stdoutAppendedTo(out));
        assertEquals("hello" + Reproducible.SOURCE_DATE_EPOCH, Files.readString(out));
    }

    @Test
    void aWatchedInputsReadOffsetIsReportedRisingWhileTheToolRuns() throws Exception {
        int mib = 1 << 20;
        Path in = Files.write(tmp.resolve("in"), new byte[6 * mib]);
        List<Long> reported = new CopyOnWriteArrayList<>();
        // reads 1 MiB of its stdin (the watched file), then pauses, five times: the offset rises in steps
        runner.run(Command.of("sh", "-c", "for i in 1 2 3 4 5; do dd bs=1M count=1 of=/dev/null status=none; sleep 0.4; done")
                .stdinFrom(in).reportingReadsOf(in, reported::add));
        assertTrue(reported.size() >= 3, "reported while it ran: " + reported);
        for (int i = 0; i < reported.size(); i++) {
            long offset = reported.get(i);
            assertTrue(offset % mib == 0 && offset >= mib && offset <= 5L * mib, "an offset the tool reached: " + offset);
            assertTrue(i == 0 || offset > reported.get(i - 1), "rising: " + reported);
        }
    }

    @Test
    void aMissingToolIsAClearError() {
        ToolException e = assertThrows(ToolException.class, () -> runner.run(Command.of("no-such-tool-here")));
        assertTrue(e.getMessage().contains("no-such-tool-here could not be started"), e.getMessage());
    }

    @Test
    void stdoutIntoAWriterIsHashedAsTheToolWritesIt() throws Exception {
        Path out = tmp.resolve("out");
        ConcurrentDigests.FileDigests digests;
        try (HashedFileWriter writer = HashedFileWriter.create(out)) {
            writer.write("head:".getBytes(), 0, 5);
            // 40 MiB of varied bytes: more than one flush step and many pipe-fulls
            runner.run(Command.of("sh", "-c", "seq 1 6000000").stdoutInto(writer));
            digests = writer.finish();
        }
        assertEquals(Files.size(out), digests.size());
        assertTrue(Files.readString(out).startsWith("head:1\n2\n"));
        assertEquals(Digests.sha256(out).digest(), digests.digest(Algorithm.SHA256));
    }

    @Test
    void aToolWhoseOutputCannotBeWrittenIsKilledNotLeftOnAFullPipe() throws Exception {
        long started = System.nanoTime();
        HashedFileWriter writer = HashedFileWriter.create(tmp.resolve("out"));
        writer.close(); // every write now fails
        ToolException e = assertThrows(ToolException.class, () -> new ProcessRunner(Duration.ofSeconds(60))
                .run(Command.of("yes").stdoutInto(writer)));
        assertTrue(e.getMessage().contains("output could not be written"), e.getMessage());
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(20).toNanos(), "waited for the timeout");
    }
}
