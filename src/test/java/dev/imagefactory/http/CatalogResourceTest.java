package dev.imagefactory.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(CatalogFixtureProfile.class)
class CatalogResourceTest {

    @Test
    void versionsAreFilteredAndAscending() {
        // dropped: v1.10.0 (broken), v1.11.1-beta.1 (pre-release of an old minor), v1.12.0-foo.1 (not alpha/beta/rc),
        // v1.1.0 (below 1.2.0), not-a-version and v1.12 (not versions); kept: v1.11.0-debian.1 (local build)
        given().get("/versions").then()
                .statusCode(200)
                .header("Content-Type", startsWith("application/json"))
                .body(equalTo("[\"v1.7.7\",\"v1.11.0-debian.1\",\"v1.11.0\",\"v1.12.0-alpha.1\",\"v1.12.0\"]"));
    }

    @Test
    void brokenVersionsOnlyForTheExactQueryValue() {
        given().queryParam("broken", "true").get("/versions").then().statusCode(200).body(equalTo("[\"v1.10.0\"]"));
        given().queryParam("broken", "True").get("/versions").then().statusCode(200).body(startsWith("[\"v1.7.7\","));
    }

    @Test
    void extensionsMergeReleaseAndCatalog() {
        String expected = "["
                + "{\"name\":\"siderolabs/amd-ucode\",\"ref\":\"ghcr.io/siderolabs/amd-ucode:20250917\","
                + "\"digest\":\"sha256:9b1a5fd03b9c5bc685d3a363ddc471ff6092a304f5fdfe67aa1f4626e34d72eb\","
                + "\"author\":\"Sidero Labs\",\"description\":\"[core] This system extension provides AMD microcode binaries.\\n\"},"
                + "{\"name\":\"siderolabs/intel-ucode\",\"ref\":\"ghcr.io/siderolabs/intel-ucode:20250812\","
                + "\"digest\":\"sha256:84ada70546d2f8d28d209ccfc7895c2cd0fa5f623815dcd45e6b118a06ad0959\","
                + "\"author\":\"Sidero Labs\",\"description\":\"[core] This system extension provides Intel microcode binaries.\\n\"},"
                + "{\"name\":\"siderolabs/gvisor\",\"ref\":\"ghcr.io/siderolabs/gvisor:20250707.0\",\"digest\":\"\","
                + "\"author\":\"Sidero Labs\",\"description\":\"[core] This system extension provides gVisor using containerd's runtime handler.\\n\"}"
                + "]";
        given().get("/version/v1.11.0/extensions/official").then()
                .statusCode(200)
                .header("Content-Type", startsWith("application/json"))
                .body(equalTo(expected));
        given().get("/version/1.11.0/extensions/official").then().statusCode(200).body(equalTo(expected));
    }

    @Test
    void catalogAloneAnswersForAStandInRelease() {
        given().get("/version/v1.11.0-debian.1/extensions/official").then()
                .statusCode(200)
                .body(equalTo("[{\"name\":\"siderolabs/amd-ucode\",\"ref\":\"ghcr.io/siderolabs/amd-ucode:20250808\",\"digest\":\"\","
                        + "\"author\":\"Sidero Labs\",\"description\":\"[core] This system extension provides AMD microcode binaries.\\n\"},"
                        + "{\"name\":\"siderolabs/gvisor\",\"ref\":\"ghcr.io/siderolabs/gvisor:20250707.0\",\"digest\":\"\","
                        + "\"author\":\"Sidero Labs\",\"description\":\"[core] This system extension provides gVisor using containerd's runtime handler.\\n\"}]"));
        given().get("/version/v1.12.0/extensions/official").then().statusCode(200).body(equalTo("[]"));
    }

    @Test
    void overlaysMergeReleaseAndCatalog() {
        given().get("/version/v1.11.0/overlays/official").then()
                .statusCode(200)
                .header("Content-Type", startsWith("application/json"))
                .body(equalTo("["
                        + "{\"name\":\"rpi_generic\",\"image\":\"siderolabs/sbc-raspberrypi\",\"ref\":\"ghcr.io/siderolabs/sbc-raspberrypi:v0.1.5\","
                        + "\"digest\":\"sha256:70a1b174a5bddd57da33e377af324c1f93d7ed87b9bc8f6cdefe5ec179abb4c9\"},"
                        + "{\"name\":\"rock64\",\"image\":\"siderolabs/sbc-rockchip\",\"ref\":\"ghcr.io/siderolabs/sbc-rockchip:v0.1.5\",\"digest\":\"\"}"
                        + "]"));
    }

    @Test
    void overlaysBeforeTalos17AreEmptyEvenForUnavailableVersions() {
        given().get("/version/v1.6.0/overlays/official").then().statusCode(200).body(equalTo("[]"));
        given().get("/version/v1.6.0/extensions/official").then().statusCode(404);
    }

    @Test
    void unavailableVersionsAre404() {
        for (String v : new String[] {"v1.10.0", "v1.11.1-beta.1", "v1.12.0-foo.1", "v1.13.0"}) {
            given().get("/version/" + v + "/extensions/official").then()
                    .statusCode(404)
                    .body(containsString("version " + v.substring(1) + " is not available"));
            given().get("/version/" + v + "/overlays/official").then().statusCode(404);
        }
    }

    @Test
    void malformedVersionsAre400() {
        for (String v : new String[] {"latest", "v1.11", "1.11.0.1", "v1.11.0+meta"}) {
            given().get("/version/" + v + "/extensions/official").then()
                    .statusCode(400)
                    .body(containsString("invalid Talos version"));
            given().get("/version/" + v + "/overlays/official").then().statusCode(400);
        }
    }
}
