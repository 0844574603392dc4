package dev.imagefactory.boot;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.build.AssetPath;
import dev.imagefactory.build.AssetService;
import dev.imagefactory.build.BuildPlan;
import dev.imagefactory.build.BuildProgress;
import dev.imagefactory.build.RecentBuilds;
import dev.imagefactory.build.StepKind;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 acceptance: 64 identical cold requests for an ISO cause exactly one initramfs, one UKI and one ISO build
 * (the ISO's plan needs the UKI's, which needs the initramfs'; the scheduler builds each plan once), and all 64 bodies
 * are identical. The progress port tells the ISO build's story: queued, started, its step with the bytes written,
 * done.
 */
@Tag("slow")
@QuarkusTest
@TestProfile(BootAssetsTest.StandinProfile.class)
class ConcurrentColdIsoTest {

    private static final int REQUESTS = 64;

    @TestHTTPResource("/")
    URI base;

    @Inject
    AssetService assets;

    @Inject
    RecentBuilds progress;

    @Test
    void sixtyFourColdIsoRequestsBuildEachPlanOnce() throws Exception {
        // its own schematic, so every plan is cold whatever ran before
        String id = BootAssetsTest.createSchematic(BootAssetsTest.SCHEMATIC.replace("    - -pti\n",
                "    - -pti\n    - concurrency.iso=64\n"));
        String version = StandinRelease.V1_11;
        String path = "/image/" + id + "/" + version + "/metal-amd64.iso";
        double initramfs = BootAssetsTest.builtCount("initramfs");
        double ukis = BootAssetsTest.builtCount("iso-uki");
        double isos = BootAssetsTest.builtCount("iso");

        List<String> bodies = ConcurrentDownloads.sha256OfBodies(base, path, REQUESTS);
        assertEquals(REQUESTS, bodies.size());
        assertEquals(1, Set.copyOf(bodies).size(), "64 identical bodies");
        assertEquals(1.0, BootAssetsTest.builtCount("initramfs") - initramfs, "exactly one initramfs build");
        assertEquals(1.0, BootAssetsTest.builtCount("iso-uki") - ukis, "exactly one UKI build");
        assertEquals(1.0, BootAssetsTest.builtCount("iso") - isos, "exactly one ISO build");

        AssetPath asset = AssetPath.parse("metal-amd64.iso");
        BuildPlan plan = assets.plan(assets.request(id, version, asset));
        assertEquals(List.of(StepKind.INITRAMFS, StepKind.UKI), plan.needs().stream().map(BuildPlan::kind).toList(),
                plan.canonical());
        List<BuildProgress.Type> story = progress.of(plan.key().hex()).stream().map(BuildProgress.Event::type).toList();
        assertEquals(List.of(BuildProgress.Type.QUEUED, BuildProgress.Type.STARTED, BuildProgress.Type.STEP_STARTED,
                BuildProgress.Type.STEP_ENDED, BuildProgress.Type.DONE), story);
        BuildProgress.Event stepEnded = progress.of(plan.key().hex()).get(3);
        assertEquals("iso", stepEnded.step().orElseThrow());
        long size = Long.parseLong(given().head(path).then().statusCode(200).extract().header("Content-Length"));
        assertEquals(size, stepEnded.bytesWritten(), "the step wrote the served ISO");
        assertTrue(!stepEnded.took().isNegative());
    }
}
