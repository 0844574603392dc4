package dev.imagefactory.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.tools.ToolException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

class LocalStorageFaultsTest {

    @Test
    void diskFaultsAnywhereInTheChainAreRecognised() {
        RuntimeException full = new RuntimeException("building x failed",
                new UncheckedIOException(new FileSystemException("/a", "/b", "No space left on device")));
        LocalStorageException fault = LocalStorageFaults.of(full).orElseThrow();
        assertEquals(LocalStorageFaults.FULL, fault.getMessage());
        assertSame(full, fault.getCause());
        assertEquals(LocalStorageFaults.READ_ONLY, LocalStorageFaults.of(
                new FileSystemException("/data/x", null, "Read-only file system")).orElseThrow().getMessage());
        assertEquals(LocalStorageFaults.ACCESS_DENIED,
                LocalStorageFaults.of(new AccessDeniedException("/data/x")).orElseThrow().getMessage());
        assertEquals(LocalStorageFaults.FULL, LocalStorageFaults.of(new ToolException(
                "mksquashfs failed with exit code 1: Write failed because No space left on device")).orElseThrow().getMessage());
        assertEquals(LocalStorageFaults.FULL, LocalStorageFaults.of(new IOException("Disk quota exceeded"))
                .orElseThrow().getMessage());
    }

    @Test
    void otherFailuresAreNot() {
        assertTrue(LocalStorageFaults.of(new NoSuchFileException("/data/x")).isEmpty());
        assertTrue(LocalStorageFaults.of(new ToolException("xorriso failed with exit code 5: bad option")).isEmpty());
        assertTrue(LocalStorageFaults.of(new IllegalStateException((String) null)).isEmpty());
    }

    @Test
    void aKnownFaultIsKeptAsItIs() {
        LocalStorageException known = new LocalStorageException(LocalStorageFaults.FULL, null);
        assertSame(known, LocalStorageFaults.of(new RuntimeException(known)).orElseThrow());
    }
}
