package dev.imagefactory.build.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.content.Reproducible;
import dev.imagefactory.model.DiskFormat;
import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import dev.imagefactory.tools.ToolException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The disk formats of §6.6 built from a small sparse raw image and read back by independent readers: qemu-img
 * (info, check, compare, convert back), the VHD footer by its specification, tar for the OVA's members, the JDK's
 * XML parser for {@code disk.ovf}, sha256sum for {@code disk.mf}.
 */
class DiskFormatsTest {

    static final long SIZE_MIB = 64;
    static final String AZURE_VHD = "subformat=fixed,force_size";
    static final ObjectMapper JSON = new ObjectMapper();

    final ProcessRunner runner = new ProcessRunner(Duration.ofMinutes(2));

    @TempDir
    Path tmp;
    Path raw;
    Path work;

    @BeforeEach
    void rawImage() throws IOException {
        raw = SparseRawImage.create(tmp.resolve("metal-amd64.raw"), SIZE_MIB, 3);
        work = Files.createDirectories(tmp.resolve("work"));
    }

    @Test
    void qcow2WithEightKiBClustersHoldsTheRawBytes() throws Exception {
        Path qcow2 = convert(DiskFormat.QCOW2, "cluster_size=8k", "disk.qcow2");

        JsonNode info = info(qcow2);
        assertEquals("qcow2", info.get("format").asText());
        assertEquals(Files.size(raw), info.get("virtual-size").asLong());
        assertEquals(8192, info.get("cluster-size").asLong());
        assertEquals(0, check(qcow2).get("check-errors").asInt());
        compare(raw, "raw", qcow2, "qcow2");
        assertTrue(Files.size(qcow2) < 8 * SparseRawImage.MIB, "holes stay out of the qcow2: " + Files.size(qcow2));
    }

    @Test
    void azureVhdIsFixedWithTheExactSizeAndAPinnedFooter() throws Exception {
        Path vhd = convert(DiskFormat.VHD, AZURE_VHD, "disk.vhd");

        long rawSize = Files.size(raw);
        assertEquals(rawSize + 512, Files.size(vhd), "a fixed VHD is the raw bytes and a 512-byte footer");
        ByteBuffer footer = footer(vhd, rawSize);
        assertEquals("conectix", ascii(footer, 0, 8));
        assertEquals(2, footer.getInt(60), "disk type fixed");
        assertEquals(rawSize, footer.getLong(40), "original size: force_size keeps the raw size");
        assertEquals(rawSize, footer.getLong(48), "current size: force_size keeps the raw size");
        assertFooterPinnedAndChecksummed(footer);
        // qemu-img finds a VHD's cookie only at offset 0, which a fixed VHD does not have: name the format
        JsonNode info = info(vhd, "vpc");
        assertEquals("vpc", info.get("format").asText());
        assertEquals(rawSize, info.get("virtual-size").asLong());
        try (FileChannel in = FileChannel.open(vhd)) {
            Path data = tmp.resolve("vhd-data");
            try (FileChannel outChannel = FileChannel.open(data, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE)) {
                in.transferTo(0, rawSize, outChannel);
            }
            SparseRawImage.requireSameBytes(raw, data);
        }
        compare(raw, "raw", vhd, "vpc");
    }

    @Test
    void vhdWithoutOptionsIsDynamicRoundedToItsGeometryWithBothFootersPinned() throws Exception {
        Path vhd = convert(DiskFormat.VHD, "", "disk.vhd");

        ByteBuffer footer = footer(vhd, Files.size(vhd) - 512);
        ByteBuffer copy = footer(vhd, 0);
        assertEquals("conectix", ascii(footer, 0, 8));
        assertEquals(3, footer.getInt(60), "disk type dynamic");
        assertEquals(footer, copy, "the footer copy at offset 0 equals the footer");
        assertEquals("cxsparse", ascii(footer(vhd, 512), 0, 8), "dynamic disk header");
        assertFooterPinnedAndChecksummed(footer);
        long virtual = info(vhd, "vpc").get("virtual-size").asLong();
        assertTrue(virtual >= Files.size(raw), "CHS geometry rounds up, never down: " + virtual);
        // qemu-img compare: the extra sectors of the bigger image must read as zeros
        compare(raw, "raw", vhd, "vpc");
    }

    @Test
    void ovaHoldsOvfManifestAndStreamOptimisedVmdkInOrder() throws Exception {
        Path ova = convert(DiskFormat.OVA, null, "vmware-amd64.ova");

        List<String> listing = runner.run(Command.of("tar", "-tvf", ova.toString())).stdout().lines().toList();
        assertEquals(List.of("disk.ovf", "disk.mf", "disk.vmdk"),
                listing.stream().map(line -> line.substring(line.lastIndexOf(' ') + 1)).toList(), listing.toString());
        for (String line : listing) {
            assertTrue(line.startsWith("-rw-r--r-- 0/0 "), "mode 0644, owner 0:0: " + line);
            assertTrue(line.contains(" 2019-06-01 21:34 "), "mtime pinned: " + line);
        }
        assertEquals("ustar\0", ascii(footer(ova, 0), 257, 6),
                "POSIX ustar, the format OVF names");

        Path members = Files.createDirectories(tmp.resolve("members"));
        runner.run(Command.of("tar", "-xf", ova.toString(), "-C", members.toString()));
        Path vmdk = members.resolve("disk.vmdk");
        Ovf ovf = Ovf.parse(members.resolve("disk.ovf"));
        assertEquals("disk.vmdk", ovf.value("/ovf:Envelope/ovf:References/ovf:File/@ovf:href"));
        assertEquals(String.valueOf(Files.size(vmdk)), ovf.value("/ovf:Envelope/ovf:References/ovf:File/@ovf:size"));
        assertEquals(ovf.value("/ovf:Envelope/ovf:References/ovf:File/@ovf:id"), ovf.value("/ovf:Envelope/ovf:DiskSection/ovf:Disk/@ovf:fileRef"));
        assertEquals(String.valueOf(SIZE_MIB), ovf.value("/ovf:Envelope/ovf:DiskSection/ovf:Disk/@ovf:capacity"));
        assertEquals("byte * 2^20", ovf.value("/ovf:Envelope/ovf:DiskSection/ovf:Disk/@ovf:capacityAllocationUnits"));
        assertTrue(ovf.value("/ovf:Envelope/ovf:DiskSection/ovf:Disk/@ovf:format").endsWith("#streamOptimized"));
        assertEquals("talos", ovf.value("/ovf:Envelope/ovf:VirtualSystem/ovf:Name"));
        assertEquals("vmx-15", ovf.value("//ovf:VirtualHardwareSection/ovf:System/vssd:VirtualSystemType"));
        assertEquals("other3xLinux64Guest", ovf.value("//ovf:OperatingSystemSection/@vmw:osType"));
        assertEquals("2", ovf.value("//ovf:Item[rasd:ResourceType='3']/rasd:VirtualQuantity"));
        assertEquals("2048", ovf.value("//ovf:Item[rasd:ResourceType='4']/rasd:VirtualQuantity"));
        assertEquals("byte * 2^20", ovf.value("//ovf:Item[rasd:ResourceType='4']/rasd:AllocationUnits"));
        assertEquals("VmxNet3", ovf.value("//ovf:Item[rasd:ResourceType='10']/rasd:ResourceSubType"));
        assertEquals("VM Network", ovf.value("//ovf:Item[rasd:ResourceType='10']/rasd:Connection"));
        assertEquals("VM Network", ovf.value("/ovf:Envelope/ovf:NetworkSection/ovf:Network/@ovf:name"));
        assertEquals("ovf:/disk/" + ovf.value("/ovf:Envelope/ovf:DiskSection/ovf:Disk/@ovf:diskId"),
                ovf.value("//ovf:Item[rasd:ResourceType='17']/rasd:HostResource"));
        assertEquals(ovf.value("//ovf:Item[rasd:ResourceType='6']/rasd:InstanceID"), ovf.value("//ovf:Item[rasd:ResourceType='17']/rasd:Parent"));
        assertEquals("com.vmware.guestInfo", ovf.value("//ovf:VirtualHardwareSection/@ovf:transport"));
        assertEquals("TRUE", ovf.value("//ovf:VirtualHardwareSection/vmw:ExtraConfig[@vmw:key='disk.EnableUUID']/@vmw:value").toUpperCase());
        assertEquals("string", ovf.value("//ovf:ProductSection/ovf:Property[@ovf:key='talos.config']/@ovf:type"));

        List<String> manifest = Files.readAllLines(members.resolve("disk.mf"));
        assertEquals(List.of("SHA256(disk.vmdk)= " + sha256sum(vmdk),
                "SHA256(disk.ovf)= " + sha256sum(members.resolve("disk.ovf"))), manifest);

        JsonNode info = info(vmdk);
        assertEquals("vmdk", info.get("format").asText());
        assertEquals(Files.size(raw), info.get("virtual-size").asLong());
        assertEquals("streamOptimized", info.at("/format-specific/data/create-type").asText());
        assertEquals(Long.parseLong(VmdkDescriptor.PINNED_CID, 16), info.at("/format-specific/data/cid").asLong());
        assertEquals(0, check(vmdk).get("check-errors").asInt());
        Path back = tmp.resolve("back.raw");
        runner.run(Command.of("qemu-img", "convert", "-f", "vmdk", "-O", "raw", vmdk.toString(), back.toString()));
        SparseRawImage.requireSameBytes(raw, back);
    }

    @Test
    void ovfCapacityRoundsAPartialMibUp() throws Exception {
        Ovf ovf = Ovf.parse(Files.writeString(tmp.resolve("odd.ovf"), OvfDescriptor.render(3 * SparseRawImage.MIB + 1,
                4242)));
        assertEquals("4", ovf.value("/ovf:Envelope/ovf:DiskSection/ovf:Disk/@ovf:capacity"));
        assertEquals("4242", ovf.value("/ovf:Envelope/ovf:References/ovf:File/@ovf:size"));
    }

    @Test
    void rawIsASparseCopy() throws Exception {
        Path copy = convert(DiskFormat.RAW, "", "disk.raw");

        SparseRawImage.requireSameBytes(raw, copy);
        assertTrue(SparseRawImage.allocatedBytes(runner, copy) < 8 * SparseRawImage.MIB,
                "a 64 MiB image with ~4 MiB of data stays sparse");
    }

    static Stream<Arguments> formats() {
        return Stream.of(Arguments.of(DiskFormat.RAW, ""), Arguments.of(DiskFormat.QCOW2, "cluster_size=8k"),
                Arguments.of(DiskFormat.VHD, AZURE_VHD), Arguments.of(DiskFormat.VHD, ""),
                Arguments.of(DiskFormat.OVA, ""));
    }

    @ParameterizedTest
    @MethodSource("formats")
    void builtTwiceIsByteIdentical(DiskFormat format, String options) throws Exception {
        Path first = convert(format, options, "first." + format.extension());
        Path secondWork = Files.createDirectories(tmp.resolve("second-work"));
        Path second = Files.createDirectories(tmp.resolve("second-build")).resolve("second." + format.extension());
        DiskFormats.convert(runner, raw, format, options, second, secondWork);

        SparseRawImage.requireSameBytes(first, second);
        assertEmpty(work);
    }

    @Test
    void aFailingToolLeavesNothingBehind() throws Exception {
        Path outDir = Files.createDirectories(tmp.resolve("out"));

        assertThrows(ToolException.class, () -> DiskFormats.convert(runner, raw, DiskFormat.QCOW2, "cluster_size=3k",
                outDir.resolve("disk.qcow2"), work));
        assertThrows(IllegalArgumentException.class, () -> DiskFormats.convert(runner, raw, DiskFormat.OVA,
                "subformat=monolithicSparse", outDir.resolve("disk.ova"), work));
        assertThrows(IOException.class, () -> DiskFormats.convert(runner, tmp.resolve("missing.raw"), DiskFormat.OVA,
                null, outDir.resolve("disk.ova"), work));
        assertEmpty(outDir);
        assertEmpty(work);
    }

    private Path convert(DiskFormat format, String options, String name) throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out-" + format)).resolve(name);
        DiskFormats.convert(runner, raw, format, options, out, work);
        assertEmpty(work);
        try (Stream<Path> siblings = Files.list(out.getParent())) {
            assertEquals(List.of(out), siblings.toList(), "only the output, no temporary file");
        }
        return out;
    }

    static void assertEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            List<Path> left = entries.toList();
            assertTrue(left.isEmpty(), "left behind: " + left);
        }
    }

    private void assertFooterPinnedAndChecksummed(ByteBuffer footer) {
        assertEquals(Reproducible.SOURCE_DATE_EPOCH - 946_684_800L, Integer.toUnsignedLong(footer.getInt(24)),
                "creation time pinned to SOURCE_DATE_EPOCH");
        byte[] id = new byte[16];
        footer.get(68, id);
        assertFalse(Arrays.equals(new byte[16], id), "a unique id is set");
        int sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += i >= 64 && i < 68 ? 0 : footer.get(i) & 0xff;
        }
        assertEquals(~sum, footer.getInt(64), "footer checksum (one's complement of the byte sum)");
    }

    /** qemu-img info with the format probed: the reader's own judgement of what the file is. */
    private JsonNode info(Path image) throws IOException {
        return JSON.readTree(runner.run(Command.of("qemu-img", "info", "--output=json", image.toString())).stdout());
    }

    private JsonNode info(Path image, String format) throws IOException {
        return JSON.readTree(runner.run(Command.of("qemu-img", "info", "-f", format, "--output=json",
                image.toString())).stdout());
    }

    private JsonNode check(Path image) throws IOException {
        return JSON.readTree(runner.run(Command.of("qemu-img", "check", "--output=json", image.toString())).stdout());
    }

    private void compare(Path a, String aFormat, Path b, String bFormat) {
        runner.run(Command.of("qemu-img", "compare", "-f", aFormat, "-F", bFormat, a.toString(), b.toString()));
    }

    private String sha256sum(Path file) {
        return runner.run(Command.of("sha256sum", file.toString())).stdout().split(" ")[0];
    }

    private static ByteBuffer footer(Path file, long at) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(512);
        try (FileChannel channel = FileChannel.open(file)) {
            channel.read(buffer, at);
        }
        return buffer.flip();
    }

    private static String ascii(ByteBuffer buffer, int from, int length) {
        byte[] bytes = new byte[length];
        buffer.get(buffer.position() + from, bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
