package dev.imagefactory.ops;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.boot.StandinRelease;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 21, case 6: a read-only or full local disk is answered 503 + Retry-After with a one-line reason (never a
 * bare 500), leaves nothing behind, turns /readyz to 503, and the service recovers by itself once the disk takes
 * writes again. The data dir is a 24 MiB tmpfs ({@link TmpfsDataDir}); the full-disk build is the stand-in
 * release's kernel (8 MiB, copied by Java) so it really runs out of space half-way. Kernels are content-addressed
 * (the stand-in versions share one kernel file, so they share one cached kernel): the full-disk case runs first,
 * on a cold cache, and the read-only case asks for a command line no other request has built.
 */
@QuarkusTest
@Tag("slow")
@WithTestResource(TmpfsDataDir.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalDiskFaultsTest {

    private static final String EMPTY_SCHEMATIC = "376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba";
    private static final long DEADLINE_MILLIS = 20_000;

    private Path filler;

    @BeforeEach
    void needsTheTmpfs() {
        // A slow-tier test: like a missing QEMU, a machine where it cannot run is a failure, never a silent skip.
        Assertions.assertTrue(TmpfsDataDir.mounted(), "cannot mount a tmpfs for the data dir (this test needs root)");
        given().body("customization: {}").post("/schematics").then().statusCode(org.hamcrest.Matchers.lessThan(300));
        filler = TmpfsDataDir.dir().resolve("filler");
    }

    @AfterEach
    void restore() throws IOException {
        if (TmpfsDataDir.mounted()) {
            TmpfsDataDir.run("mount", "-o", "remount,rw", TmpfsDataDir.dir().toString());
            Files.deleteIfExists(filler);
        }
    }

    @Test
    @Order(2)
    void readOnlyDataDirIsAnswered503AndRecoversWhenWritableAgain() throws Exception {
        String kernel = "/image/" + EMPTY_SCHEMATIC + "/" + StandinRelease.V1_11 + "/kernel-amd64";
        String schematic = given().body("customization: {extraKernelArgs: [read-only-" + System.nanoTime() + "]}")
                .post("/schematics").then().statusCode(201).extract().path("id");
        String cmdline = "/image/" + schematic + "/" + StandinRelease.V1_11 + "/cmdline-metal-amd64";
        Set<String> before = files();
        TmpfsDataDir.remount("ro");

        assertStorageFault(given().get(cmdline), "read-only");
        assertStorageFault(given().body("customization: {extraKernelArgs: [read-only-test]}").post("/schematics"),
                "read-only");
        awaitReadyz(503);
        assertEquals(before, files(), "nothing written while read-only");

        TmpfsDataDir.remount("rw");
        awaitReadyz(200);
        given().get(cmdline).then().statusCode(200);
        assertEquals(Files.size(StandinRelease.version(StandinRelease.V1_11).resolve("usr/install/amd64/vmlinuz")),
                given().get(kernel).then().statusCode(200).extract().asByteArray().length);
        given().body("customization: {extraKernelArgs: [read-only-test]}").post("/schematics").then().statusCode(201);
    }

    @Test
    @Order(1)
    void fullDiskIsAnswered503LeavesNothingAndRecoversWhenSpaceIsFreed() throws Exception {
        String kernel = "/image/" + EMPTY_SCHEMATIC + "/" + StandinRelease.V1_12 + "/kernel-amd64";
        // 2 MiB left: the 8 MiB kernel runs out of space half-way through its copy
        fill(2L << 20);
        Set<String> before = files();
        long free = usable();
        assertStorageFault(given().get(kernel), "full");
        assertEquals(before, files(), "the half-written build is removed");
        assertEquals(free, usable(), "its space is given back");
        awaitReadyz(200); // 2 MiB still take the probe's write

        fill(0); // nothing left at all
        awaitReadyz(503);
        assertStorageFault(given().body("customization: {extraKernelArgs: [full-disk-test]}").post("/schematics"),
                "full");
        assertStorageFault(given().get(kernel), "full");

        Files.delete(filler);
        awaitReadyz(200);
        given().get(kernel).then().statusCode(200);
        given().body("customization: {extraKernelArgs: [full-disk-test]}").post("/schematics").then().statusCode(201);
    }

    private static void assertStorageFault(Response response, String reason) {
        String body = response.then().extract().asString();
        assertEquals(503, response.statusCode(), body);
        assertNotNull(response.header("Retry-After"), "Retry-After");
        assertTrue(Integer.parseInt(response.header("Retry-After")) > 0);
        assertTrue(body.contains(reason), body);
        assertEquals(1, body.strip().lines().count(), "one line: " + body);
        assertFalse(body.contains("Exception") || body.contains("/"), "no stack trace, no path: " + body);
    }

    /** Waits (bounded) until /readyz answers {@code status}; its verdict is reused for a few seconds. */
    private static void awaitReadyz(int status) throws InterruptedException {
        long deadline = System.currentTimeMillis() + DEADLINE_MILLIS;
        int last;
        do {
            last = given().get("/readyz").statusCode();
            if (last == status) {
                return;
            }
            Thread.sleep(250);
        } while (System.currentTimeMillis() < deadline);
        throw new AssertionError("/readyz answered " + last + ", not " + status + ", for " + DEADLINE_MILLIS + " ms");
    }

    /** Appends to the filler file until at most {@code leave} bytes are free. */
    private void fill(long leave) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) 1);
        try (OutputStream out = Files.newOutputStream(filler, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND)) {
            while (usable() > leave) {
                int n = (int) Math.min(chunk.length, usable() - leave);
                out.write(chunk, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            if (leave > 0 || !e.getMessage().contains("No space left")) {
                throw e;
            }
        }
    }

    private static long usable() throws IOException {
        return Files.getFileStore(TmpfsDataDir.dir()).getUsableSpace();
    }

    /** Every file and directory below the data dir except the filler. */
    private static Set<String> files() throws IOException {
        try (Stream<Path> walk = Files.walk(TmpfsDataDir.dir())) {
            return walk.map(p -> TmpfsDataDir.dir().relativize(p).toString())
                    .filter(p -> !p.equals("filler"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
