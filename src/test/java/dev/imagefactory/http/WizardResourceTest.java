package dev.imagefactory.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.config.RedirectConfig;
import io.restassured.response.Response;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The wizard over plain HTTP, as a browser without JavaScript uses it (the browser test, WebUiBrowserIT, walks it in
 * Chromium): each step is a page of its own, selections travel in the URL, the customization form creates the
 * schematic through the same service as {@code POST /schematics}, refusals are shown next to their control.
 */
@QuarkusTest
@TestProfile(CatalogFixtureProfile.class)
class WizardResourceTest {

    @Test
    void headOfTheRootAnswers200() {
        given().head("/").then().statusCode(200);
    }

    @Test
    void theFirstStepIsServedWithHtmxFromItsWebjarAndTheStylesheet() {
        String html = given().get("/").then().statusCode(200).contentType(containsString("text/html"))
                .extract().asString();
        assertTrue(html.contains("<html lang=\"en\">"), html);
        assertTrue(html.contains("name=\"target\" value=\"metal\" checked"), html);
        assertTrue(html.contains(WizardResource.HTMX), html);
        given().get(WizardResource.HTMX).then().statusCode(200).body(containsString("htmx"));
        given().get("/ui/wizard.css").then().statusCode(200).body(containsString("prefers-color-scheme: dark"));
        given().get("/ui/wizard.js").then().statusCode(200);
    }

    @Test
    void versionsAreGroupedByMinorWithPreReleasesApartAndTheLatestStableChosen() {
        String html = given().get("/?target=metal").then().statusCode(200).extract().asString();
        assertTrue(html.contains("Talos 1.12 pre-releases"), html);
        int stable = html.indexOf("<legend>Talos 1.12</legend>");
        int pre = html.indexOf("Talos 1.12 pre-releases");
        assertTrue(stable >= 0 && stable < pre, "stable groups come first");
        assertTrue(html.contains("value=\"v1.12.0\" checked"), "latest stable preselected");
        assertFalse(html.contains("value=\"v1.12.0-alpha.1\" checked"));
        String preGroup = html.substring(pre);
        assertTrue(preGroup.contains("v1.12.0-alpha.1"));
    }

    @Test
    void htmxGetsTheStepFragmentAndTheUrlToPush() {
        Response r = given().header("HX-Request", "true").get("/?target=metal&version=v1.11.0&step=version");
        assertEquals(200, r.statusCode());
        assertFalse(r.asString().contains("<html"), "a fragment, not a page");
        assertTrue(r.asString().contains("data-step=\"version\""));
        assertEquals("/?target=metal&version=v1.11.0&step=version", r.header("HX-Push-Url"));
        // a history restore needs the whole page
        String restored = given().header("HX-Request", "true").header("HX-History-Restore-Request", "true")
                .get("/?target=metal&version=v1.11.0&step=version").asString();
        assertTrue(restored.contains("<html"));
    }

    @Test
    void stepsThatDoNotApplyArePassedOn() {
        // metal has no platform step: the version step's "next" lands on the architecture
        given().get("/?target=metal&version=v1.11.0&step=platform").then().statusCode(200)
                .body(containsString("data-step=\"arch\""));
        // a single-architecture platform without SecureBoot skips the architecture step
        given().get("/?target=cloud&version=v1.11.0&platform=digital-ocean&step=arch").then().statusCode(200)
                .body(containsString("data-step=\"extensions\""));
        // a board is arm64 only
        given().get("/?target=sbc&version=v1.11.0&board=rpi_generic&step=arch").then().statusCode(200)
                .body(containsString("data-step=\"extensions\""));
    }

    @Test
    void anUnknownVersionIsShownNextToTheVersionList() {
        given().get("/?target=metal&version=v9.9.9").then().statusCode(400)
                .body(containsString("id=\"version-error\""))
                .body(containsString("version v9.9.9 is not available"))
                .body(containsString("data-step=\"version\""));
    }

    @Test
    void anExtensionMissingForTheVersionIsShownOnTheExtensionsStep() {
        given().get("/?target=metal&version=v1.11.0&arch=amd64&extensions=siderolabs/nonexistent&step=customization")
                .then().statusCode(400)
                .body(containsString("data-step=\"extensions\""))
                .body(containsString("id=\"extensions-error\""))
                .body(containsString("official extension &quot;siderolabs/nonexistent&quot; is not available"));
    }

    @Test
    void theExtensionSearchFiltersOnNameAndDescriptionAndKeepsSelectedOnes() {
        String html = given().get("/?target=metal&version=v1.11.0&arch=amd64&step=extensions&q=gvisor"
                + "&extensions=siderolabs/intel-ucode").then().statusCode(200).extract().asString();
        assertTrue(html.contains("value=\"siderolabs/gvisor\""), html);
        assertTrue(html.contains("value=\"siderolabs/intel-ucode\" checked"), "selected stays visible");
        assertFalse(html.contains("value=\"siderolabs/amd-ucode\""), "filtered out");
        String byDescription = given().queryParam("q", "Intel MICROCODE")
                .get("/?target=metal&version=v1.11.0&arch=amd64&step=extensions")
                .then().statusCode(200).extract().asString();
        assertTrue(byDescription.contains("value=\"siderolabs/intel-ucode\""), byDescription);
        assertFalse(byDescription.contains("value=\"siderolabs/gvisor\""));
    }

    @Test
    void theCustomizationFormCreatesTheSchematicAPostOfTheSameYamlCreates() {
        Response created = given().config(RestAssured.config().redirect(RedirectConfig.redirectConfig().followRedirects(false)))
                .formParam("target", "metal").formParam("version", "v1.11.0").formParam("arch", "amd64")
                .formParam("extensions", "-").formParam("extensions", "siderolabs/intel-ucode")
                .formParam("extensions", "siderolabs/amd-ucode").formParam("cmdline", " net.ifnames=0  console=ttyS1 ")
                .post("/");
        assertEquals(303, created.statusCode(), created.asString());
        String location = created.header("Location");
        Matcher id = Pattern.compile("schematic-id=([0-9a-f]{64})").matcher(location);
        assertTrue(id.find(), location);
        String expected = given().body("""
                customization:
                  extraKernelArgs: [net.ifnames=0, console=ttyS1]
                  systemExtensions:
                    officialExtensions: [siderolabs/amd-ucode, siderolabs/intel-ucode]
                """).post("/schematics").then().statusCode(201).extract().path("id");
        assertEquals(expected, id.group(1));

        String path = location.replaceFirst("^https?://[^/]+", "");
        String page = given().get(path).then().statusCode(200).extract().asString();
        assertTrue(page.contains("value=\"" + expected + "\""), "the ID is shown");
        assertTrue(page.contains("/image/" + expected + "/v1.11.0/metal-amd64.iso"), page);
        assertTrue(page.contains("/image/" + expected + "/v1.11.0/metal-amd64.iso.sha256"));
        assertTrue(page.contains("/pxe/" + expected + "/v1.11.0/metal-amd64"));
        assertTrue(page.contains("/metal-installer/" + expected + ":v1.11.0"), "the installer reference of >= 1.10");
        assertTrue(page.contains("siderolabs/amd-ucode"), "the YAML is shown");
    }

    @Test
    void theMachineConfigurationGoesIntoTheSchematicNeverIntoTheUrl() {
        Response created = given().config(RestAssured.config().redirect(RedirectConfig.redirectConfig().followRedirects(false)))
                .formParam("target", "metal").formParam("version", "v1.12.0").formParam("arch", "arm64")
                .formParam("extensions", "-").formParam("bootloader", "sd-boot")
                .formParam("machine-config", "machine:\n  token: secret-token-value\n").post("/");
        assertEquals(303, created.statusCode(), created.asString());
        String location = created.header("Location");
        assertFalse(location.contains("secret-token-value") || location.contains("machine"), location);
        String id = location.replaceFirst(".*schematic-id=([0-9a-f]{64}).*", "$1");
        String yaml = given().get("/schematics/" + id).then().statusCode(200).extract().asString();
        assertTrue(yaml.contains("embeddedMachineConfiguration") && yaml.contains("secret-token-value")
                && yaml.contains("bootloader: sd-boot"), yaml);
    }

    @Test
    void olderVersionsGetTheOlderInstallerNameAndXzDiskImages() {
        String id = given().body("customization: {}").post("/schematics").then().statusCode(201).extract().path("id");
        String page = given().get("/?schematic-id=" + id + "&target=metal&version=v1.7.7&arch=amd64")
                .then().statusCode(200).extract().asString();
        assertTrue(page.contains("/installer/" + id + ":v1.7.7"), "before 1.10 the installer has no platform in its name");
        assertTrue(page.contains("metal-amd64.raw.xz") && !page.contains("metal-amd64.raw.zst"), "xz before 1.8");
        assertFalse(page.contains("name=\"bootloader\""), "no bootloader choice on the final page");
        String customization = given().get("/?target=metal&version=v1.11.0&arch=amd64&extensions=-&step=customization")
                .then().statusCode(200).extract().asString();
        assertFalse(customization.contains("name=\"bootloader\"") || customization.contains("name=\"machine-config\""),
                "bootloader and embedded configuration need 1.12");
    }

    @Test
    void anUnwritableKernelArgIsShownNextToTheKernelArgsField() {
        given().formParam("target", "metal").formParam("version", "v1.11.0").formParam("arch", "amd64")
                .formParam("extensions", "-").formParam("cmdline", "a'b").post("/")
                .then().statusCode(400)
                .body(containsString("data-step=\"customization\""))
                .body(containsString("id=\"cmdline-error\""))
                .body(containsString("kernel argument"))
                .body(not(containsString("Exception")));
    }

    @Test
    void aBoardSchematicCarriesTheOverlayAndItsOptions() {
        Response created = given().config(RestAssured.config().redirect(RedirectConfig.redirectConfig().followRedirects(false)))
                .formParam("target", "sbc").formParam("version", "v1.11.0").formParam("board", "rpi_generic")
                .formParam("extensions", "-").formParam("overlay-options", "configTxtAppend: dtoverlay=x")
                .post("/");
        assertEquals(303, created.statusCode(), created.asString());
        String yaml = given().get("/schematics/" + created.header("Location").replaceFirst(".*schematic-id=([0-9a-f]{64}).*", "$1"))
                .then().statusCode(200).extract().asString();
        assertTrue(yaml.contains("name: rpi_generic") && yaml.contains("configTxtAppend: dtoverlay=x"), yaml);
    }

    @Test
    void aCustomizationFormWithoutTheEarlierSelectionsIsRefused() {
        given().formParam("cmdline", "quiet").post("/").then().statusCode(400)
                .body(containsString("data-step=\"hardware\""))
                .body(containsString("id=\"form-error\""));
    }

    @Test
    void badOverlayOptionsAreShownNextToTheirField() {
        given().formParam("target", "sbc").formParam("version", "v1.11.0").formParam("board", "rpi_generic")
                .formParam("extensions", "-").formParam("overlay-options", "- a list").post("/")
                .then().statusCode(400).body(containsString("id=\"overlay-options-error\""));
    }

    @Test
    void anUnknownSchematicIdIsShownNextToTheIdField() {
        given().get("/?schematic-id=" + "0".repeat(64)).then().statusCode(400)
                .body(containsString("id=\"schematic-id-error\""))
                .body(containsString("data-step=\"hardware\""));
    }

    @Test
    void aSchematicIdRepopulatesTheWizard() {
        String id = given().body("customization: {extraKernelArgs: [quiet]}").post("/schematics")
                .then().statusCode(201).extract().path("id");
        String page = given().get("/?schematic-id=" + id + "&target=metal&version=v1.11.0&arch=amd64")
                .then().statusCode(200).extract().asString();
        assertTrue(page.contains("data-step=\"final\""), page);
        assertTrue(page.contains("cmdline=quiet"), "the edit link carries the schematic's kernel args");
    }
}
