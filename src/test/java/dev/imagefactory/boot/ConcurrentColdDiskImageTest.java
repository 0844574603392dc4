package dev.imagefactory.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Issue 14: 16 identical cold requests for {@code metal-amd64.raw.zst} build one raw image and one .zst, same bytes. */
@Tag("slow")
@QuarkusTest
@TestProfile(DiskImageProfile.class)
class ConcurrentColdDiskImageTest {

    private static final int REQUESTS = 16;

    @TestHTTPResource("/")
    URI base;

    @Test
    void sixteenColdRequestsBuildOnce() throws Exception {
        String id = BootAssetsTest.createSchematic("customization:\n  extraKernelArgs: [concurrency.disk=16]\n");
        String path = "/image/" + id + "/" + StandinRelease.V1_11 + "/metal-amd64.raw.zst";
        double raws = BootAssetsTest.builtCount("disk-raw");
        double images = BootAssetsTest.builtCount("image");
        double initramfs = BootAssetsTest.builtCount("initramfs");
        List<String> bodies = ConcurrentDownloads.sha256OfBodies(base, path, REQUESTS);
        assertEquals(REQUESTS, bodies.size());
        assertEquals(1, Set.copyOf(bodies).size(), "16 identical bodies");
        assertEquals(1.0, BootAssetsTest.builtCount("disk-raw") - raws, "one raw image build");
        assertEquals(1.0, BootAssetsTest.builtCount("image") - images, "one .zst build");
        assertEquals(1.0, BootAssetsTest.builtCount("initramfs") - initramfs, "one initramfs build");
    }
}
