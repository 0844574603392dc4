package dev.imagefactory.build.uki;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.model.Quirks;
import dev.imagefactory.model.TalosVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PE writer (talos-imager.md §4.3) on the stand-in release's systemd stub, checked against binutils: objcopy
 * builds the same file from the same sections at the same addresses, and objdump reads ours back.
 */
class UkiAssemblerTest {

    static final String CMDLINE = "console=ttyS0 talos.platform=metal uki.test=assembler";
    static final List<String> APPENDED = List.of(".osrel", ".cmdline", ".uname", ".linux", ".initrd", ".profile");

    /**
     * The header bytes where our output and objcopy's differ on purpose; everything else must be equal.
     * Offsets hold for a stub whose e_lfanew is already 0x80 (objcopy keeps it; Debian's stub has 0x80).
     */
    enum ByDesign {
        /** §4.3 zeroes 0x40..0x80; objcopy keeps the stub's DOS program ("This program cannot be run..."). */
        DOS_PROGRAM(0x40, 0x40),
        /** §4.3: SOURCE_DATE_EPOCH; objcopy 2.40 stamps the current time (it ignores SOURCE_DATE_EPOCH). */
        TIME_DATE_STAMP(0x88, 4),
        /** §4.3 copies the stub's COFF characteristics; objcopy adds IMAGE_FILE_LOCAL_SYMS_STRIPPED (0x0008). */
        COFF_CHARACTERISTICS(0x96, 2),
        /** §4.3: 0.0; objcopy writes its own version (binutils 2.40 → 2.40, by chance the stub's). */
        LINKER_VERSION(0x9a, 2),
        /** §4.3: 0; objcopy computes the PE checksum. */
        CHECKSUM(0xd8, 4);

        final int offset;
        final int length;

        ByDesign(int offset, int length) {
            this.offset = offset;
            this.length = length;
        }
    }

    @TempDir
    static Path tmp;
    static PeFile stub;
    static Path uki;
    static List<Section> sections;

    @BeforeAll
    static void buildUki() throws IOException {
        stub = PeFile.read(Fixtures.stub());
        uki = tmp.resolve("uki.efi");
        sections = new UkiBuilder().build(inputs(), uki);
    }

    static UkiInputs inputs() {
        return UkiInputs.of(Fixtures.stub(), Fixtures.kernel(), Fixtures.initramfs(), CMDLINE, Fixtures.VERSION,
                Quirks.of(TalosVersion.parse(Fixtures.VERSION)));
    }

    /** VAs by the §4.3 rule, computed here from the stub's headers: round up after the last stub section, then chain. */
    static List<Long> expectedAddresses() {
        PeFile.SectionHeader last = stub.sections().get(stub.sections().size() - 1);
        long alignment = stub.sectionAlignment();
        long va = Fixtures.roundUp(last.virtualAddress() + last.virtualSize(), alignment);
        List<Long> addresses = new ArrayList<>();
        for (Section section : sections) {
            addresses.add(va);
            va = Fixtures.roundUp(va + section.size(), alignment);
        }
        return addresses;
    }

    @Test
    void appendsTheSectionsOfATalos111Uki() {
        assertEquals(APPENDED, sections.stream().map(Section::name).toList());
    }

    @Test
    void equalsObjcopysOutputExceptTheFieldsSetByDesign() throws Exception {
        List<String> command = new ArrayList<>(List.of("objcopy"));
        List<Long> addresses = expectedAddresses();
        for (int i = 0; i < sections.size(); i++) {
            Section section = sections.get(i);
            Path file = section.content() instanceof SectionContent.FileRange range ? range.file()
                    : Files.write(tmp.resolve("section-" + i), section.content().readAllBytes());
            command.addAll(List.of("--add-section", section.name() + "=" + file,
                    "--change-section-vma", section.name() + "=0x" + Long.toHexString(stub.imageBase() + addresses.get(i))));
        }
        Path objcopied = tmp.resolve("objcopy.efi");
        command.addAll(List.of(Fixtures.stub().toString(), objcopied.toString()));
        Fixtures.run(command.toArray(String[]::new));

        byte[] ours = Files.readAllBytes(uki);
        byte[] theirs = Files.readAllBytes(objcopied);
        assertEquals(ours.length, theirs.length, "file size");

        // Each by-design difference, as documented: ours per §4.3, theirs what objcopy does.
        assertArrayEquals(new byte[0x40], range(ours, ByDesign.DOS_PROGRAM));
        assertArrayEquals(range(Files.readAllBytes(Fixtures.stub()), ByDesign.DOS_PROGRAM), range(theirs, ByDesign.DOS_PROGRAM));
        assertTrue(new String(range(theirs, ByDesign.DOS_PROGRAM), StandardCharsets.ISO_8859_1).contains("DOS mode"));
        assertEquals(1559424892L, u32(ours, ByDesign.TIME_DATE_STAMP.offset));
        assertEquals(stub.characteristics(), u16(ours, ByDesign.COFF_CHARACTERISTICS.offset));
        assertEquals(stub.characteristics() | 0x0008, u16(theirs, ByDesign.COFF_CHARACTERISTICS.offset));
        assertArrayEquals(new byte[] {0, 0}, range(ours, ByDesign.LINKER_VERSION));
        assertArrayEquals(new byte[] {2, 40}, range(theirs, ByDesign.LINKER_VERSION), "binutils 2.40");
        assertEquals(0, u32(ours, ByDesign.CHECKSUM.offset));
        assertEquals(peChecksum(theirs), u32(theirs, ByDesign.CHECKSUM.offset), "objcopy's CheckSum is the PE checksum");

        // Everything else is byte-equal: headers, section table, section data, padding.
        byte[] normalized = theirs.clone();
        for (ByDesign field : ByDesign.values()) {
            System.arraycopy(ours, field.offset, normalized, field.offset, field.length);
        }
        int mismatch = Arrays.mismatch(ours, normalized);
        assertEquals(-1, mismatch, () -> "first difference outside the by-design fields at 0x" + Integer.toHexString(mismatch));
        assertTrue(Arrays.mismatch(ours, theirs) >= 0, "objcopy's output does differ in those fields");
    }

    @Test
    void objdumpListsTheStubSectionsThenTheUkiSections() throws Exception {
        List<String[]> listed = objdumpSections(uki);
        List<String> expectedNames = new ArrayList<>(stub.sections().stream().map(PeFile.SectionHeader::name).toList());
        expectedNames.addAll(APPENDED);
        assertEquals(expectedNames, listed.stream().map(s -> s[0]).toList());

        List<String[]> stubListed = objdumpSections(Fixtures.stub());
        for (int i = 0; i < stubListed.size(); i++) {
            // same size and address as in the stub (file offsets move only if SizeOfHeaders grows)
            assertEquals(stubListed.get(i)[1], listed.get(i)[1], "size of " + stubListed.get(i)[0]);
            assertEquals(stubListed.get(i)[2], listed.get(i)[2], "VMA of " + stubListed.get(i)[0]);
        }
        List<Long> addresses = expectedAddresses();
        int first = stubListed.size();
        for (int i = 0; i < sections.size(); i++) {
            String[] row = listed.get(first + i);
            assertEquals(sections.get(i).size(), Long.parseLong(row[1], 16), "size of " + row[0]);
            assertEquals(stub.imageBase() + addresses.get(i), Long.parseLong(row[2], 16), "VMA of " + row[0]);
            assertEquals(0, Long.parseLong(row[3], 16) % stub.fileAlignment(), "file offset of " + row[0]);
        }
        for (int i = first; i < listed.size(); i++) {
            assertEquals("CONTENTS, ALLOC, LOAD, READONLY, DATA", listed.get(i)[4], "flags of " + listed.get(i)[0]);
        }

        // Contents, extracted by objcopy.
        assertEquals(UkiSections.osRelease("Talos", Fixtures.VERSION), extract(".osrel"));
        assertTrue(extract(".osrel").startsWith("NAME=\"Talos\"\nID=talos\nVERSION_ID=v1.11.0-debian.1\n"));
        assertEquals(CMDLINE, extract(".cmdline"));
        assertEquals(Fixtures.kernelReleaseFromRootfs(tmp), extract(".uname"));
        assertEquals("ID=main", extract(".profile"));
        assertEquals(sha256(Fixtures.kernel()), sha256(extractFile(".linux")));
        assertEquals(sha256(Fixtures.initramfs()), sha256(extractFile(".initrd")));
        for (PeFile.SectionHeader section : stub.sections()) {
            assertEquals(sha256(stub.data(section)), sha256(SectionContent.ofFile(extractFile(section.name()))),
                    "stub section " + section.name() + " unchanged");
        }
    }

    @Test
    void headersFollowTheSpec() throws Exception {
        PeFile out = PeFile.read(uki);
        byte[] head = readHead(uki, 0x98);
        byte[] stubDos = stub.dosHeader();
        stubDos[0x3c] = (byte) 0x80;
        stubDos[0x3d] = stubDos[0x3e] = stubDos[0x3f] = 0;
        assertArrayEquals(stubDos, Arrays.copyOfRange(head, 0, 0x40), "DOS header with e_lfanew = 0x80");
        assertArrayEquals(new byte[0x40], Arrays.copyOfRange(head, 0x40, 0x80));
        assertEquals(0x80, out.peOffset());

        int count = stub.numberOfSections() + sections.size();
        assertEquals(count, out.numberOfSections());
        assertEquals(1559424892L, out.timeDateStamp());
        assertEquals(stub.machine(), out.machine());
        assertEquals(0, out.pointerToSymbolTable());
        assertEquals(0, out.numberOfSymbols());
        assertEquals(240, out.sizeOfOptionalHeader());
        assertEquals(stub.characteristics(), out.characteristics());

        assertEquals(0, out.majorLinkerVersion());
        assertEquals(0, out.minorLinkerVersion());
        assertEquals(0, out.checkSum());
        assertEquals(stub.dataDirectories(), out.dataDirectories());
        assertEquals(Fixtures.roundUp(0x80 + 20 + 240 + 40L * count, stub.fileAlignment()), out.sizeOfHeaders());
        PeFile.SectionHeader last = out.sections().get(count - 1);
        assertEquals(Fixtures.roundUp(last.virtualAddress() + last.virtualSize(), stub.sectionAlignment()), out.sizeOfImage());
        long initialized = out.sections().stream().filter(s -> (s.characteristics() & 0x40) != 0)
                .mapToLong(PeFile.SectionHeader::sizeOfRawData).sum();
        long other = out.sections().stream().filter(s -> (s.characteristics() & 0x40) == 0)
                .mapToLong(PeFile.SectionHeader::sizeOfRawData).sum();
        assertEquals(initialized, out.sizeOfInitializedData());
        assertEquals(other, out.sizeOfCode());
        // The rest of the optional header is the stub's.
        byte[] expected = stub.optionalHeader();
        byte[] actual = out.optionalHeader();
        for (int at : new int[] {2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67}) {
            expected[at] = actual[at];
        }
        assertArrayEquals(expected, actual, "optional header outside the recomputed fields");

        long pointer = out.sizeOfHeaders();
        List<Long> addresses = expectedAddresses();
        for (int i = 0; i < count; i++) {
            PeFile.SectionHeader s = out.sections().get(i);
            assertEquals(pointer, s.pointerToRawData(), "raw data back to back: " + s.name());
            assertEquals(0, s.pointerToRelocations() + s.pointerToLinenumbers() + s.numberOfRelocations()
                    + s.numberOfLinenumbers(), "relocation/line-number fields of " + s.name());
            if (i < stub.numberOfSections()) {
                PeFile.SectionHeader original = stub.sections().get(i);
                assertEquals(List.of(original.name(), original.virtualSize(), original.virtualAddress(),
                        original.sizeOfRawData(), original.characteristics()),
                        List.of(s.name(), s.virtualSize(), s.virtualAddress(), s.sizeOfRawData(), s.characteristics()));
            } else {
                Section appended = sections.get(i - stub.numberOfSections());
                assertEquals(List.of(appended.name(), appended.size(), addresses.get(i - stub.numberOfSections()),
                        Fixtures.roundUp(appended.size(), stub.fileAlignment()), 0x40000040L),
                        List.of(s.name(), s.virtualSize(), s.virtualAddress(), s.sizeOfRawData(), s.characteristics()));
                assertTrue(isZero(uki, s.pointerToRawData() + s.virtualSize(), s.sizeOfRawData() - s.virtualSize()),
                        "zero padding after " + s.name());
            }
            pointer += s.sizeOfRawData();
        }
        assertEquals(pointer, Files.size(uki), "file ends with the last section's raw data");
        assertTrue(isZero(uki, 0x188 + 40L * count, out.sizeOfHeaders() - 0x188 - 40L * count),
                "zeros between the section table and the first section");
    }

    @Test
    void sameInputsGiveIdenticalBytes() throws Exception {
        Path again = tmp.resolve("again.efi");
        new UkiBuilder().build(inputs(), again);
        assertEquals(-1, Files.mismatch(uki, again));
    }

    /** A small section, a file section of a few alignments plus {@code extra} bytes, and a section one byte over. */
    private List<Section> sectionsWithAFile(int extra) throws IOException {
        long alignment = stub.fileAlignment();
        Path file = Files.write(tmp.resolve("content"), filled((int) (3 * alignment + extra)));
        return List.of(Section.of(".a", "x"), Section.ofFile(".b", file), Section.of(".c", filled((int) alignment + 1)));
    }

    /** Hashed while written, the UKI is the same bytes, and the cache is handed that file's digest. */
    @Test
    void assembledHashedItIsTheSameBytesAndItsDigestIsRecorded() throws Exception {
        List<Section> sections = sectionsWithAFile(17);
        Path plain = tmp.resolve("plain.efi");
        Path hashed = tmp.resolve("hashed.efi");
        new UkiAssembler(0).assemble(stub, sections, plain);
        new UkiAssembler(0).assembleHashed(stub, sections, hashed);
        assertEquals(-1, Files.mismatch(plain, hashed));
        assertEquals(dev.imagefactory.content.Digests.sha256(hashed).digest(), dev.imagefactory.content.PrehashedFiles
                .take(hashed).orElseThrow().digest(dev.imagefactory.model.Digest.Algorithm.SHA256));
    }

    /** Written for signing, the UKI is the same bytes and its digest is the Authenticode digest Jsign computes. */
    @Test
    void assembledForSigningItsDigestIsJsignsAuthenticodeDigest() throws Exception {
        List<Section> sections = sectionsWithAFile(3);
        Path plain = tmp.resolve("plain.efi");
        Path forSigning = tmp.resolve("signing.efi");
        new UkiAssembler(0).assemble(stub, sections, plain);
        byte[] digest = new UkiAssembler(0).assembleForSigning(stub, sections, forSigning);
        assertEquals(-1, Files.mismatch(plain, forSigning));
        try (net.jsign.pe.PEFile pe = new net.jsign.pe.PEFile(forSigning.toFile())) {
            assertArrayEquals(pe.computeDigest(net.jsign.DigestAlgorithm.SHA256), digest);
        }
        assertTrue(dev.imagefactory.content.PrehashedFiles.take(forSigning).isEmpty(),
                "an Authenticode digest is not the file's SHA-256");
    }

    @Test
    void padsEachSectionToTheFileAlignment() throws Exception {
        long alignment = stub.fileAlignment();
        List<Section> odd = List.of(Section.of(".a", new byte[1]), Section.of(".b", new byte[(int) alignment]),
                Section.of(".c", filled((int) alignment + 1)), Section.of(".d", new byte[0]), Section.of(".e", "x"));
        Path out = tmp.resolve("odd.efi");
        new UkiAssembler(0).assemble(stub, odd, out);
        PeFile read = PeFile.read(out);
        List<PeFile.SectionHeader> appended = read.sections().subList(stub.numberOfSections(), read.numberOfSections());
        assertEquals(List.of(1L, alignment, alignment + 1, 0L, 1L), appended.stream().map(PeFile.SectionHeader::virtualSize).toList());
        assertEquals(List.of(alignment, alignment, 2 * alignment, 0L, alignment),
                appended.stream().map(PeFile.SectionHeader::sizeOfRawData).toList());
        long sa = stub.sectionAlignment();
        long va = appended.get(0).virtualAddress();
        // .d is empty, so .e shares its address (what the rule gives; objcopy would do the same)
        assertEquals(List.of(va, va + sa, va + 2 * sa, va + 4 * sa, va + 4 * sa),
                appended.stream().map(PeFile.SectionHeader::virtualAddress).toList());
        assertEquals(0, read.timeDateStamp());
        assertArrayEquals(filled((int) alignment + 1), read.data(appended.get(2)).readAllBytes());
        assertTrue(isZero(out, appended.get(2).pointerToRawData() + alignment + 1, alignment - 1));
    }

    @Test
    void refusesStubsItCannotCopy() throws Exception {
        byte[] original = Files.readAllBytes(Fixtures.stub());
        int pe = 0x80;
        assertEquals(pe, stub.peOffset());

        byte[] symbols = original.clone();
        putU32(symbols, pe + 4 + 8, original.length);  // PointerToSymbolTable
        putU32(symbols, pe + 4 + 12, 1);               // NumberOfSymbols
        assertRefused(symbols, "COFF symbols");

        byte[] signed = original.clone();
        putU32(signed, pe + 24 + 112 + 8 * PeFile.SECURITY_DIRECTORY, original.length);
        putU32(signed, pe + 24 + 112 + 8 * PeFile.SECURITY_DIRECTORY + 4, 8);
        assertRefused(signed, "Authenticode-signed");

        byte[] pe32 = original.clone();
        pe32[pe + 24] = 0x0b;
        pe32[pe + 25] = 0x01;
        Path file = Files.write(tmp.resolve("pe32.efi"), pe32);
        IOException notPe32Plus = assertThrows(IOException.class, () -> PeFile.read(file));
        assertTrue(notPe32Plus.getMessage().contains("not PE32+"), notPe32Plus.getMessage());

        Path elf = Files.write(tmp.resolve("not-pe"), "\177ELF and more bytes than a DOS header has, surely enough ....".repeat(2)
                .getBytes(StandardCharsets.US_ASCII));
        IOException notPe = assertThrows(IOException.class, () -> PeFile.read(elf));
        assertTrue(notPe.getMessage().contains("not a PE file"), notPe.getMessage());
    }

    /**
     * Debian's AArch64 stub declares 6 data directories in a 160-byte optional header. The same stub shape is made
     * here from the fixture (optional header cut after directory 5, section table moved up): the UKI gets the full
     * 240-byte header with the 6 directories kept and the other 10 zero, and the same sections as before.
     */
    @Test
    void aStubWithFewerDataDirectoriesGetsAllSixteen() throws Exception {
        byte[] original = Files.readAllBytes(Fixtures.stub());
        int pe = (int) stub.peOffset();
        int optional = pe + 4 + PeFile.COFF_HEADER_SIZE;
        int directories = 6;
        int shortSize = 112 + 8 * directories;
        int tableSize = PeFile.SECTION_HEADER_SIZE * stub.numberOfSections();
        byte[] shortened = original.clone();
        System.arraycopy(original, optional + PeFile.OPTIONAL_HEADER_SIZE, shortened, optional + shortSize, tableSize);
        Arrays.fill(shortened, optional + shortSize + tableSize, optional + PeFile.OPTIONAL_HEADER_SIZE + tableSize, (byte) 0);
        ByteBuffer.wrap(shortened).order(ByteOrder.LITTLE_ENDIAN).putShort(pe + 4 + 16, (short) shortSize);
        putU32(shortened, optional + 108, directories);
        PeFile shortStub = PeFile.read(Files.write(tmp.resolve("short-stub.efi"), shortened));
        assertEquals(directories, shortStub.numberOfRvaAndSizes());
        assertEquals(stub.sections(), shortStub.sections());

        Path out = tmp.resolve("short-stub-uki.efi");
        new UkiAssembler().assemble(shortStub, List.of(Section.of(".osrel", "x")), out);
        PeFile result = PeFile.read(out);
        assertEquals(PeFile.OPTIONAL_HEADER_SIZE, result.sizeOfOptionalHeader());
        assertEquals(16, result.numberOfRvaAndSizes());
        assertEquals(stub.dataDirectories().subList(0, directories), result.dataDirectories().subList(0, directories));
        assertTrue(result.dataDirectories().subList(directories, 16).stream()
                .allMatch(d -> d.virtualAddress() == 0 && d.size() == 0), result.dataDirectories().toString());
        assertEquals(stub.numberOfSections() + 1, result.numberOfSections());
        for (PeFile.SectionHeader section : stub.sections()) {
            assertArrayEquals(stub.data(section).readAllBytes(),
                    result.data(result.section(section.name()).orElseThrow()).readAllBytes(), section.name());
        }
        assertTrue(Fixtures.run("objdump", "-h", out.toString()).contains(".osrel"), "binutils reads it");
    }

    @Test
    void refusesSectionNamesLongerThanEightBytes() {
        assertThrows(IllegalArgumentException.class, () -> Section.of(".toolong9", "x"));
        assertEquals(".pcrpkey", Section.of(".pcrpkey", "x").name());
    }

    private void assertRefused(byte[] stubBytes, String reason) throws IOException {
        Path file = Files.write(tmp.resolve("bad-stub.efi"), stubBytes);
        PeFile bad = PeFile.read(file);
        IOException e = assertThrows(IOException.class,
                () -> new UkiAssembler().assemble(bad, List.of(Section.of(".osrel", "x")), tmp.resolve("bad.efi")));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /** objdump -h rows: name, size, VMA, file offset, flags. */
    static List<String[]> objdumpSections(Path file) {
        Pattern row = Pattern.compile("^\\s*\\d+\\s+(\\S+)\\s+([0-9a-f]+)\\s+([0-9a-f]+)\\s+[0-9a-f]+\\s+([0-9a-f]+)\\s+2\\*\\*\\d+$");
        List<String> lines = Fixtures.run("objdump", "-h", file.toString()).lines().toList();
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = row.matcher(lines.get(i));
            if (m.matches()) {
                rows.add(new String[] {m.group(1), m.group(2), m.group(3), m.group(4), lines.get(i + 1).strip()});
            }
        }
        return rows;
    }

    private static Path extractFile(String section) throws IOException {
        Path out = Files.createTempFile(tmp, "section", ".bin");
        Fixtures.run("objcopy", "-O", "binary", "--only-section=" + section, uki.toString(), out.toString());
        return out;
    }

    private static String extract(String section) throws IOException {
        return Files.readString(extractFile(section), StandardCharsets.ISO_8859_1);
    }

    static String sha256(Path file) throws Exception {
        return sha256(SectionContent.ofFile(file));
    }

    static String sha256(SectionContent content) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = content.openStream()) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The PE image checksum (as in imagehlp's CheckSumMappedFile): 16-bit sum with carries folded, plus the length. */
    static long peChecksum(byte[] file) {
        long checksumAt = u32(file, 0x3c) + 4 + 20 + 64;
        long sum = 0;
        for (int i = 0; i < file.length; i += 2) {
            if (i == checksumAt || i == checksumAt + 2) {
                continue;
            }
            int word = (file[i] & 0xff) | (i + 1 < file.length ? (file[i + 1] & 0xff) << 8 : 0);
            sum += word;
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        sum = (sum & 0xffff) + (sum >>> 16);
        return sum + file.length;
    }

    private static byte[] range(byte[] bytes, ByDesign field) {
        return Arrays.copyOfRange(bytes, field.offset, field.offset + field.length);
    }

    private static long u32(byte[] bytes, long at) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt((int) at) & 0xffffffffL;
    }

    private static int u16(byte[] bytes, int at) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getShort(at) & 0xffff;
    }

    private static void putU32(byte[] bytes, int at, long value) {
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(at, (int) value);
    }

    private static byte[] filled(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 7 + 1);
        }
        return bytes;
    }

    private static byte[] readHead(Path file, int length) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(length);
        }
    }

    private static boolean isZero(Path file, long offset, long length) throws IOException {
        byte[] bytes = SectionContent.ofFile(file, offset, length).readAllBytes();
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
