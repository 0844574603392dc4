package dev.imagefactory.boot;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.build.uki.PeFile;
import dev.imagefactory.tools.ProcessRunner.Command;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Disk images of the cloud platforms in the formats those platforms take (issue 14): each served, unwrapped with
 * stock tools, and checked for its platform's size and cmdline ({@code talos.platform=} and the platform's args, as
 * the cmdline asset of the same platform has them).
 */
@Tag("slow")
@QuarkusTest
@TestProfile(DiskImageProfile.class)
class DiskImagePlatformsTest {

    private static final long MIB = 1024L * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OVF = "http://schemas.dmtf.org/ovf/envelope/1";
    static final String SCHEMATIC = """
            customization:
              extraKernelArgs: [platforms.test=1]
              systemExtensions:
                officialExtensions: [standin/dummy-module]
            """;

    @TestHTTPResource("/")
    URI base;

    @TempDir
    Path tmp;

    @Test
    void nocloudRawXz() throws Exception {
        String id = BootAssetsTest.createSchematic(SCHEMATIC);
        Path xz = download(id, "nocloud-amd64.raw.xz");
        DiskImages.TOOLS.run(Command.of("xz", "-d", xz.toString()));
        Path raw = tmp.resolve("nocloud-amd64.raw");
        assertEquals((1246 + 1000 + 2001) * MIB, Files.size(raw));
        checkCmdline(raw, id, "nocloud", "console=tty1 console=ttyS0 net.ifnames=0");
        compressionToldHowFarItWas(id, "nocloud-amd64.raw.xz", Files.size(raw));
    }

    /** Issue 18: the compressor's progress (bytes of the raw image read) is in the build's story, once per percent. */
    private void compressionToldHowFarItWas(String id, String path, long rawSize) throws Exception {
        String build = given().queryParam("schematic", id).get("/builds").then().statusCode(200).extract()
                .jsonPath().<String>getList("builds.findAll { it.path == '" + path + "' }.id").get(0);
        List<Integer> percents = new ArrayList<>();
        for (SseEvents.Event event : SseEvents.read(base.resolve("/builds/" + build + "/events"), null, 1000,
                Duration.ofMinutes(1))) {
            JsonNode json = event.json();
            if (json.get("type").asText().equals("step-progress")) {
                assertEquals("disk-compression", json.get("step").asText());
                assertEquals(rawSize, json.get("total").asLong(), "the raw image's size, holes included");
                percents.add(json.get("percent").asInt());
            }
        }
        assertFalse(percents.isEmpty(), "xz of a " + rawSize + "-byte image reported progress");
        for (int i = 1; i < percents.size(); i++) {
            assertTrue(percents.get(i) > percents.get(i - 1) && percents.get(i) <= 100, "rising: " + percents);
        }
    }

    @Test
    void awsRawTarGz() throws Exception {
        String id = BootAssetsTest.createSchematic(SCHEMATIC);
        Path tgz = download(id, "aws-amd64.raw.tar.gz");
        DiskImages.TOOLS.run(Command.of("tar", "-xzf", tgz.toString(), "-C", tmp.toString()));
        Path raw = tmp.resolve("disk.raw");
        assertEquals((8192 + 1000 + 2001) * MIB, Files.size(raw));
        checkCmdline(raw, id, "aws", "console=tty1 console=ttyS0 net.ifnames=0");
    }

    @Test
    void gcpTarGzHoldsDiskRaw() throws Exception {
        String id = BootAssetsTest.createSchematic(SCHEMATIC);
        Path tgz = download(id, "gcp-amd64.raw.tar.gz");
        String listing = DiskImages.TOOLS.run(Command.of("tar", "-tvzf", tgz.toString())).stdout();
        assertEquals(1, listing.lines().count(), listing);
        assertTrue(listing.contains("0/0") && listing.trim().endsWith(" disk.raw"), listing);
        DiskImages.TOOLS.run(Command.of("tar", "-xzf", tgz.toString(), "-C", tmp.toString()));
        Path raw = tmp.resolve("disk.raw");
        assertEquals(11736711168L, Files.size(raw), "spec §6.1: gcp amd64 dual-boot");
        checkCmdline(raw, id, "gcp", "console=ttyS0 net.ifnames=0 talos.dashboard.disabled=1");
    }

    /**
     * Azure: a fixed VHD is the raw bytes plus a 512-byte footer, so its size and footer are checked with HEAD and
     * range requests (11 GiB need not travel); its cmdline is checked on the same raw image served as
     * {@code .raw.tar.gz}, which the raw stage shares with the VHD (one raw build for both wrappings).
     */
    @Test
    void azureFixedVhdAndOneRawImageForTwoWrappings() throws Exception {
        String id = BootAssetsTest.createSchematic(SCHEMATIC);
        double raws = BootAssetsTest.builtCount("disk-raw");
        String path = "/image/" + id + "/" + StandinRelease.V1_11 + "/azure-amd64.vhd";
        long raw = (8192 + 1000 + 2001) * MIB;
        Response head = given().head(path).then().statusCode(200).extract().response();
        assertEquals(raw + 512, Long.parseLong(head.header("Content-Length")), "fixed VHD: raw bytes + footer");
        byte[] footer = given().header("Range", "bytes=-512").get(path).then().statusCode(206).extract().asByteArray();
        assertEquals("conectix", new String(footer, 0, 8, StandardCharsets.US_ASCII));
        ByteBuffer f = ByteBuffer.wrap(footer);
        assertEquals(2, f.getInt(60), "disk type: fixed");
        assertEquals(raw, f.getLong(40), "original size");
        assertEquals(raw, f.getLong(48), "current size (force_size keeps it exact)");
        byte[] gpt = given().header("Range", "bytes=512-519").get(path).then().statusCode(206).extract().asByteArray();
        assertEquals("EFI PART", new String(gpt, StandardCharsets.US_ASCII), "the raw image starts the VHD");

        Path tgz = download(id, "azure-amd64.raw.tar.gz");
        DiskImages.TOOLS.run(Command.of("tar", "-xzf", tgz.toString(), "-C", tmp.toString()));
        checkCmdline(tmp.resolve("disk.raw"), id, "azure", "console=ttyS0,115200n8 earlyprintk=ttyS0,115200 rootdelay=300");
        assertEquals(1.0, BootAssetsTest.builtCount("disk-raw") - raws, "the VHD and the tar.gz share one raw image");
    }

    @Test
    void vmwareOvaWithOvfManifestAndAStreamOptimisedVmdkOfTheRawBytes() throws Exception {
        String id = BootAssetsTest.createSchematic(SCHEMATIC);
        Path ova = download(id, "vmware-amd64.ova");
        String listing = DiskImages.TOOLS.run(Command.of("tar", "-tf", ova.toString())).stdout();
        assertEquals(List.of("disk.ovf", "disk.mf", "disk.vmdk"), listing.lines().toList());
        Path dir = Files.createDirectories(tmp.resolve("ova"));
        DiskImages.TOOLS.run(Command.of("tar", "-xf", ova.toString(), "-C", dir.toString()));
        Path vmdk = dir.resolve("disk.vmdk");
        JsonNode info = JSON.readTree(DiskImages.TOOLS.run(Command.of("qemu-img", "info", "--output=json",
                vmdk.toString())).stdout());
        assertEquals("vmdk", info.get("format").asText());
        assertTrue(info.toString().contains("streamOptimized"), info.toString());
        long raw = (8192 + 1000 + 2001) * MIB;
        assertEquals(raw, info.get("virtual-size").asLong());

        String mf = Files.readString(dir.resolve("disk.mf"));
        assertEquals("SHA256(disk.vmdk)= " + sha256(vmdk) + "\nSHA256(disk.ovf)= " + sha256(dir.resolve("disk.ovf")) + "\n", mf);
        DocumentBuilderFactory xml = DocumentBuilderFactory.newDefaultInstance();
        xml.setNamespaceAware(true);
        Document ovf = xml.newDocumentBuilder().parse(dir.resolve("disk.ovf").toFile());
        Element disk = (Element) ovf.getElementsByTagNameNS(OVF, "Disk").item(0);
        assertEquals(Long.toString(raw / MIB), disk.getAttributeNS(OVF, "capacity"));
        assertEquals("byte * 2^20", disk.getAttributeNS(OVF, "capacityAllocationUnits"));
        Element file = (Element) ovf.getElementsByTagNameNS(OVF, "File").item(0);
        assertEquals(Long.toString(Files.size(vmdk)), file.getAttributeNS(OVF, "size"));
        assertEquals("disk.vmdk", file.getAttributeNS(OVF, "href"));
        String text = Files.readString(dir.resolve("disk.ovf"));
        assertTrue(text.contains("talos.config") && text.contains("vmx-15") && text.contains("VmxNet3"), text);

        Path back = tmp.resolve("back.raw");
        DiskImages.TOOLS.run(Command.of("qemu-img", "convert", "-O", "raw", vmdk.toString(), back.toString()));
        Path tgz = download(id, "vmware-amd64.raw.tar.gz");
        DiskImages.TOOLS.run(Command.of("tar", "-xzf", tgz.toString(), "-C", tmp.toString()));
        DiskImages.TOOLS.run(Command.of("cmp", back.toString(), tmp.resolve("disk.raw").toString()));
        checkCmdline(back, id, "vmware", "talos.config=guestinfo console=tty0 console=ttyS0 earlyprintk=ttyS0,115200");
    }

    private Path download(String id, String path) throws Exception {
        return DiskImages.download(base.resolve("/image/" + id + "/" + StandinRelease.V1_11 + "/" + path), tmp.resolve(path));
    }

    /** The image's UKI's main cmdline is the platform's cmdline asset (no META here), with the platform's args. */
    private void checkCmdline(Path raw, String id, String platform, String platformArgs) throws Exception {
        JsonNode table = DiskImages.partitionTable(raw);
        Path esp = DiskImages.extract(raw, table, 0, tmp.resolve(platform + "-esp.img"));
        Path uki = DiskImages.fatFile(esp, "EFI/Linux/Talos-" + StandinRelease.V1_11 + ".efi", tmp.resolve(platform + ".efi"));
        PeFile pe = PeFile.read(uki);
        String cmdline = null;
        for (PeFile.SectionHeader s : pe.sections()) {
            if (s.name().equals(".cmdline")) {
                cmdline = new String(pe.data(s).readAllBytes(), StandardCharsets.UTF_8);
                break;
            }
        }
        String expected = given().get("/image/" + id + "/" + StandinRelease.V1_11 + "/cmdline-" + platform + "-amd64")
                .then().statusCode(200).extract().asString();
        assertEquals(expected, cmdline);
        assertTrue(cmdline.startsWith("talos.platform=" + platform + " " + platformArgs), cmdline);
        assertTrue(cmdline.endsWith(" platforms.test=1"), cmdline);
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
