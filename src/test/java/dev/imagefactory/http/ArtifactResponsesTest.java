package dev.imagefactory.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.cache.CacheKey;
import dev.imagefactory.cache.CachedArtifact;
import dev.imagefactory.model.Digest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The header logic of {@link ArtifactResponses} without a server. */
class ArtifactResponsesTest {

    private static final String ETAG = "\"" + "a".repeat(64) + "\"";

    @Test
    void singleRanges() {
        assertArrayEquals(new long[] {0, 9}, ArtifactResponses.parseRange("bytes=0-9", 100));
        assertArrayEquals(new long[] {90, 99}, ArtifactResponses.parseRange("bytes=90-", 100));
        assertArrayEquals(new long[] {90, 99}, ArtifactResponses.parseRange("bytes=90-1000", 100));
        assertArrayEquals(new long[] {99, 99}, ArtifactResponses.parseRange("bytes=-1", 100));
        assertArrayEquals(new long[] {0, 99}, ArtifactResponses.parseRange("bytes=-100", 100));
        assertArrayEquals(new long[] {0, 9}, ArtifactResponses.parseRange("bytes=0-9,", 100),
                "an empty list element does not make it a multi-range");
    }

    @Test
    void unsatisfiableRanges() {
        assertEquals(0, ArtifactResponses.parseRange("bytes=100-", 100).length);
        assertEquals(0, ArtifactResponses.parseRange("bytes=-0", 100).length);
        assertEquals(0, ArtifactResponses.parseRange("bytes=0-", 0).length, "nothing of an empty artifact");
        assertEquals(0, ArtifactResponses.parseRange("bytes=-5", 0).length);
    }

    @Test
    void ignoredRanges() {
        for (String header : new String[] {"bytes=0-1,3-4", "bytes=", "bytes=,", "bytes", "lines=0-1", "bytes=x-1",
                "bytes=1-x", "bytes=2-1", "bytes=--1", "bytes=+1-2", "bytes=-"}) {
            assertNull(ArtifactResponses.parseRange(header, 100), header);
        }
    }

    @Test
    void entityTagComparison() {
        assertTrue(ArtifactResponses.noneMatchHits(ETAG, ETAG));
        assertTrue(ArtifactResponses.noneMatchHits("W/" + ETAG, ETAG));
        assertTrue(ArtifactResponses.noneMatchHits("\"x\" , " + ETAG, ETAG));
        assertTrue(ArtifactResponses.noneMatchHits("*", ETAG));
        assertFalse(ArtifactResponses.noneMatchHits("\"x\"", ETAG));
        assertFalse(ArtifactResponses.noneMatchHits("a".repeat(64), ETAG), "unquoted is not the tag");
        assertTrue(ArtifactResponses.ifRangeMatches(" " + ETAG, ETAG));
        assertFalse(ArtifactResponses.ifRangeMatches("W/" + ETAG, ETAG));
    }

    @Test
    void dispositionFallbacks() {
        assertEquals("attachment; filename=\"download\"", ArtifactResponses.contentDisposition(null));
        assertEquals("attachment; filename=\"download\"", ArtifactResponses.contentDisposition("\r\n"));
        assertEquals("attachment; filename=\"_.iso\"; filename*=UTF-8''%E2%9C%93.iso",
                ArtifactResponses.contentDisposition("\u2713.iso"));
        assertEquals("attachment; filename=\"a b%.iso\"", ArtifactResponses.contentDisposition("a b%.iso"),
                "ASCII names are sent as they are");
    }

    @Test
    void emptyArtifactAndHeadHaveNoEntity() {
        ArtifactResponses responses = new ArtifactResponses(new SimpleMeterRegistry());
        CachedArtifact empty = new CachedArtifact(CacheKey.of("empty"), Path.of("/nonexistent"), 0,
                Digest.sha256Hex("a".repeat(64)));
        Response get = responses.serve("GET", null, null, null, empty, "x", "application/octet-stream");
        assertEquals(200, get.getStatus());
        assertEquals("0", get.getHeaderString("Content-Length"));
        assertFalse(get.hasEntity(), "nothing to open for zero bytes");
        Response head = responses.serve("HEAD", "bytes=0-", null, null, empty, "x", "application/octet-stream");
        assertEquals(416, head.getStatus());
        assertFalse(head.hasEntity());
        Response checksumHead = ArtifactResponses.checksum("HEAD", "b".repeat(128) + "  x\n", "x.sha512");
        assertFalse(checksumHead.hasEntity());
        assertEquals(String.valueOf(128 + 2 + 1 + 1), checksumHead.getHeaderString("Content-Length"));
    }

    @Test
    void localFilesAreSentAsFileRegionsForSendfile(@TempDir Path dir) throws Exception {
        ArtifactResponses responses = new ArtifactResponses(new SimpleMeterRegistry());
        Path file = dir.resolve("artifact");
        Files.write(file, new byte[1000]);
        CachedArtifact local = new CachedArtifact(CacheKey.of("local"), file, 1000, Digest.sha256Hex("a".repeat(64)));
        Response whole = responses.serve("GET", null, null, null, local, "x", "application/octet-stream");
        FileRegionBody body = assertInstanceOf(FileRegionBody.class, whole.getEntity(),
                "a local file goes out with sendfile, not copied through a stream");
        assertEquals(file, body.file());
        assertEquals(0, body.offset());
        assertEquals(1000, body.length());
        Response range = responses.serve("GET", "bytes=100-199", null, null, local, "x", "application/octet-stream");
        assertEquals(206, range.getStatus());
        FileRegionBody slice = assertInstanceOf(FileRegionBody.class, range.getEntity(), "a range too");
        assertEquals(100, slice.offset());
        assertEquals(100, slice.length());
    }

    @Test
    void aLocalFileOfTheWrongSizeIsNotSent(@TempDir Path dir) throws Exception {
        ArtifactResponses responses = new ArtifactResponses(new SimpleMeterRegistry());
        Path file = dir.resolve("artifact");
        Files.write(file, new byte[999]); // one byte short of what its metadata says
        CachedArtifact shrunk = new CachedArtifact(CacheKey.of("shrunk"), file, 1000, Digest.sha256Hex("a".repeat(64)));
        WebApplicationException refused = assertThrows(WebApplicationException.class,
                () -> responses.serve("GET", null, null, null, shrunk, "x", "application/octet-stream"));
        assertEquals(503, refused.getResponse().getStatus(), "answered before any header: a retry rebuilds it");
        Files.delete(file);
        assertEquals(503, assertThrows(WebApplicationException.class,
                () -> responses.serve("GET", null, null, null, shrunk, "x", "application/octet-stream"))
                .getResponse().getStatus(), "evicted meanwhile");
    }
}
