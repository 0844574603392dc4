package dev.imagefactory.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.content.Reproducible;
import dev.imagefactory.tools.ProcessRunner.Command;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
    void aMissingToolIsAClearError() {
        ToolException e = assertThrows(ToolException.class, () -> runner.run(Command.of("no-such-tool-here")));
        assertTrue(e.getMessage().contains("no-such-tool-here could not be started"), e.getMessage());
    }
}
