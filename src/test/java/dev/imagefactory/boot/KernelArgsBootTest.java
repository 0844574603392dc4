package dev.imagefactory.boot;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagefactory.schematic.CanonicalSchematic;
import dev.imagefactory.schematic.SchematicCodec;
import dev.imagefactory.schematic.SchematicStore;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/**
 * Issue 21 case 8, by booting: the kernel args that grub.cfg and iPXE scripts give meaning to reach the stand-in's
 * /proc/cmdline as the schematic says, through a GRUB ISO (SeaBIOS) and through the PXE script (QEMU's iPXE ROM
 * fetching it over user networking). The iPXE schematic is written into the store directly, as one stored before
 * {@code POST /schematics} refused such args would be: its {@code && imgfree} would free the loaded kernel if iPXE
 * ran it as a command, so a boot that reports the whole cmdline shows it was not run.
 */
@Tag("slow")
@QuarkusTest
@TestProfile(KernelArgsBootTest.PxeReachableProfile.class)
class KernelArgsBootTest {

    /**
     * The factory's port, fixed so the PXE base URL names it as QEMU's guest sees the host (10.0.2.2). Kept in a
     * system property: the profile and the test class are loaded by different class loaders.
     */
    static final int PORT = Integer.parseInt(System.getProperties()
            .computeIfAbsent("kernel-args-boot-test.port", k -> String.valueOf(freePort())).toString());

    public static class PxeReachableProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(new BootAssetsTest.StandinProfile().getConfigOverrides());
            config.put("quarkus.http.test-port", String.valueOf(PORT));
            config.put("factory.external-pxe-url", "http://10.0.2.2:" + PORT + "/");
            // the guest's requests name 10.0.2.2, not localhost, in their Host header
            config.put("factory.http.allowed-hosts", "10.0.2.2");
            return config;
        }
    }

    @Inject
    SchematicStore store;

    @TempDir
    Path tmp;

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String schematic(List<String> args) {
        return "customization:\n  extraKernelArgs:\n" + args.stream()
                .map(a -> "    - \"" + a.replace("\\", "\\\\").replace("\"", "\\\"") + "\"\n")
                .collect(Collectors.joining())
                + "  systemExtensions:\n    officialExtensions:\n      - standin/dummy-module\n";
    }

    @Test
    void grubIsoHandsTheKernelEachArgument() throws Exception {
        List<String> args = List.of("x#y", "$dollar", "q=\"a b\"", "{a}&b|c;d<e>f", "*?[g]", "k=\"v\"", "${");
        String id = BootAssetsTest.createSchematic(schematic(args));
        String v = StandinRelease.V1_7; // a GRUB ISO
        String cmdline = given().get("/image/" + id + "/" + v + "/cmdline-metal-amd64").then().statusCode(200)
                .extract().asString();
        assertTrue(cmdline.endsWith(" " + String.join(" ", args)), cmdline);
        byte[] iso = given().get("/image/" + id + "/" + v + "/metal-amd64.iso").then().statusCode(200)
                .extract().asByteArray();

        JsonNode report = Qemu.machine().cdrom(Files.write(tmp.resolve("grub.iso"), iso))
                .timeout(IsoAssetsTest.BOOT_TIMEOUT).serialLog(tmp.resolve("seabios-serial.log")).run();

        // GRUB wraps a word with a space in double quotes itself and the kernel drops quotes that only group, so
        // q="a b" arrives as "q=a b" and k="v" as k=v: the same names and values for the kernel and init.
        String expected = "BOOT_IMAGE=/boot/vmlinuz "
                + cmdline.replace("q=\"a b\"", "\"q=a b\"").replace("k=\"v\"", "k=v");
        assertEquals(expected, report.get("cmdline").asText());
        assertEquals("[]", report.get("errors").toString(), report.toString());
    }

    @Test
    void aStoredArgGrubCannotCarryIsA400NamingIt() {
        String id = stored(List.of("a'b"));
        given().get("/image/" + id + "/" + StandinRelease.V1_7 + "/metal-amd64.iso").then().statusCode(400)
                .body(equalTo("kernel argument \"a'b\" cannot be written into grub.cfg: GRUB's linux command passes '"
                        + " to the kernel as \\'\n"));
    }

    @Test
    void ipxeBootsAStoredSchematicWithoutRunningItsInjectedCommand() throws Exception {
        List<String> args = List.of("&&", "imgfree", "||", ";", "#c", "x#y", "$dollar", "q=\"a b\"", "a'b",
                "back\\slash", "{x}", "end\\");
        String id = stored(args);
        String v = StandinRelease.V1_11;
        String cmdline = given().get("/image/" + id + "/" + v + "/cmdline-metal-amd64").then().statusCode(200)
                .extract().asString();
        assertTrue(cmdline.endsWith(" " + String.join(" ", args)), cmdline);
        String script = given().get("/pxe/" + id + "/" + v + "/metal-amd64").then().statusCode(200).extract().asString();
        assertTrue(script.contains(" ${}&& imgfree ${}|| ${}; ${}#c x#y "), script);

        JsonNode report = Qemu.machine()
                .args("-netdev", "user,id=n0,bootfile=http://10.0.2.2:" + PORT + "/pxe/" + id + "/" + v + "/metal-amd64",
                        "-device", "e1000,netdev=n0", "-boot", "n")
                .timeout(IsoAssetsTest.BOOT_TIMEOUT).serialLog(tmp.resolve("ipxe-serial.log")).run();

        assertEquals(cmdline, report.get("cmdline").asText());
        assertEquals("[]", report.get("errors").toString(), report.toString());
    }

    @Test
    void aStoredExpansionIsA400NamingIt() {
        String id = stored(List.of("mac=${net0/mac}"));
        given().get("/pxe/" + id + "/" + StandinRelease.V1_11 + "/metal-amd64").then().statusCode(400)
                .body(equalTo("kernel argument \"mac=${net0/mac}\" cannot be written into an iPXE script: iPXE expands"
                        + " ${...} as a setting and has no escape for it\n"));
    }

    /** Writes the schematic into the store as it was accepted before the check, bypassing POST. */
    private String stored(List<String> args) {
        CanonicalSchematic parsed = SchematicCodec.parse(schematic(args).getBytes(StandardCharsets.UTF_8));
        store.put(parsed.id(), parsed.canonicalYaml());
        return parsed.id().value();
    }
}
