package dev.imagefactory.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheVolumeTest {

    @TempDir
    Path dir;

    @Test
    void warnsOnlyWhenTheBoundExceedsCachedPlusFreeSpace() throws Exception {
        long free = Files.getFileStore(dir).getUsableSpace();
        assertTrue(CacheVolume.warnIfBoundExceedsSpace(dir, free + (1L << 40), 0));
        assertFalse(CacheVolume.warnIfBoundExceedsSpace(dir, 1L << 20, 0));
        // what the cache already holds counts: it can grow by the free space beyond it
        assertFalse(CacheVolume.warnIfBoundExceedsSpace(dir, free + (1L << 30), 2L << 30));
    }

    @Test
    void sizesAreReadable() {
        assertEquals("512 B", CacheVolume.human(512));
        assertEquals("20.0 GiB", CacheVolume.human(20L << 30));
    }
}
