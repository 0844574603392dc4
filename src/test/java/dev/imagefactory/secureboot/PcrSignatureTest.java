package dev.imagefactory.secureboot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.conformance.ConformanceDir;
import dev.imagefactory.secureboot.PcrSignature.Bank;
import dev.imagefactory.secureboot.PcrSignature.Section;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcrSignatureTest {

    /** The public PCR-11 vector (see {@link ConformanceDir} for where it is read from). */
    static final Path VECTOR = ConformanceDir.resolve("pcr-signature");

    /**
     * expected.json without the file's final newline: the vector file ends with one (text-file convention) while
     * the section content itself has none (Go's json.Marshal).
     */
    static String expectedJson() throws IOException {
        String file = Files.readString(VECTOR.resolve("expected.json"), StandardCharsets.UTF_8);
        assertTrue(file.endsWith("}\n") && !file.endsWith("\n\n"), "expected.json should end with exactly one newline");
        return file.substring(0, file.length() - 1);
    }

    static PcrKey vectorKey() {
        return PcrKey.fromPem(VECTOR.resolve("pcr-signing-key.pem"));
    }

    /** Every measured section with its own name as content, in the measured order. */
    static Map<String, Section> vectorSections() {
        Map<String, Section> sections = new LinkedHashMap<>();
        for (String name : PcrSignature.MEASURED_ORDER) {
            sections.put(name, Section.ofBytes(name, name.getBytes(StandardCharsets.US_ASCII)));
        }
        return sections;
    }

    @Test
    void reproducesTheUpstreamVectorByteForByte() throws IOException {
        byte[] expected = expectedJson().getBytes(StandardCharsets.UTF_8);
        String json = PcrSignature.json(vectorSections(), vectorKey());
        assertEquals(expectedJson(), json);
        assertArrayEquals(expected, PcrSignature.section(vectorSections(), vectorKey()));
        assertFalse(json.endsWith("\n"));
    }

    @Test
    void theSectionSizeKnownFromTheKeyIsTheSizeOfEverySignature() throws Exception {
        assertEquals(PcrSignature.section(vectorSections(), vectorKey()).length, PcrSignature.sectionSize(vectorKey()));
        for (int bits : new int[] {2048, 3072, 4096}) {
            java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
            generator.initialize(bits);
            PcrKey key = PcrKey.of((java.security.interfaces.RSAPrivateCrtKey) generator.generateKeyPair().getPrivate());
            Map<String, Section> other = new LinkedHashMap<>(vectorSections());
            for (int i = 0; i < 3; i++) {
                other.put(".cmdline", Section.ofBytes(".cmdline", ("console=ttyS" + i).getBytes(StandardCharsets.US_ASCII)));
                assertEquals(PcrSignature.section(other, key).length, PcrSignature.sectionSize(key), bits + "-bit key");
            }
        }
    }

    @Test
    void sectionFilesAreStreamedAndGiveTheSameResultAsBytes(@TempDir Path dir) throws IOException {
        Map<String, Section> files = new LinkedHashMap<>();
        for (String name : PcrSignature.MEASURED_ORDER) {
            Path file = dir.resolve(name.substring(1));
            Files.writeString(file, name);
            files.put(name, Section.ofFile(name, file));
        }
        assertEquals(expectedJson(), PcrSignature.json(files, vectorKey()));
    }

    @Test
    void aSectionSignedForSeveralProfilesIsReadOncePerBank() throws IOException {
        AtomicInteger opens = new AtomicInteger();
        Map<String, Section> sections = new LinkedHashMap<>(vectorSections());
        byte[] linux = ".linux".getBytes(StandardCharsets.US_ASCII);
        sections.put(".linux", Section.ofSource(".linux", () -> {
            opens.incrementAndGet();
            return new ByteArrayInputStream(linux);
        }));
        assertEquals(expectedJson(), PcrSignature.json(sections, vectorKey()));
        int firstSignature = opens.get();
        assertEquals(3, firstSignature, "read once for each of the three banks");
        assertEquals(expectedJson(), PcrSignature.json(sections, vectorKey()), "the next profile's signature");
        assertEquals(firstSignature, opens.get(), "its digests were kept");
    }

    @Test
    void aSectionWhoseDigestsWereTakenWhileItWasWrittenIsNotRead(@TempDir Path dir) throws Exception {
        byte[] initrd = ".initrd".getBytes(StandardCharsets.US_ASCII);
        String sha256;
        try (dev.imagefactory.content.HashedFileWriter writer = dev.imagefactory.content.HashedFileWriter
                .create(dir.resolve("initramfs")).alsoTaking(PcrSignature.DIGESTS_BESIDE_SHA256)) {
            writer.write(initrd, 0, initrd.length);
            sha256 = writer.finish().digest(dev.imagefactory.model.Digest.Algorithm.SHA256).hex();
        }
        AtomicInteger opens = new AtomicInteger();
        Map<String, Section> sections = new LinkedHashMap<>(vectorSections());
        sections.put(".initrd", Section.ofSource(".initrd", () -> {
            opens.incrementAndGet();
            return new ByteArrayInputStream(initrd);
        }, sha256));
        assertEquals(expectedJson(), PcrSignature.json(sections, vectorKey()));
        assertEquals(0, opens.get(), "its three digests were known");

        sections.put(".initrd", Section.ofSource(".initrd", () -> {
            opens.incrementAndGet();
            return new ByteArrayInputStream(initrd);
        }, "ab".repeat(32)));
        assertEquals(expectedJson(), PcrSignature.json(sections, vectorKey()), "nothing known of it: read");
        assertEquals(3, opens.get());
    }

    @Test
    void sectionOrderInTheMapDoesNotMatterOnlyTheMeasuredOrder() throws IOException {
        List<String> reversed = new ArrayList<>(PcrSignature.MEASURED_ORDER);
        java.util.Collections.reverse(reversed);
        Map<String, Section> sections = new LinkedHashMap<>();
        for (String name : reversed) {
            sections.put(name, Section.ofBytes(name, name.getBytes(StandardCharsets.US_ASCII)));
        }
        sections.put(".pcrsig", Section.ofBytes(".pcrsig", new byte[] {1, 2, 3})); // not measured
        sections.put(".text", Section.ofBytes(".text", new byte[] {4})); // not measured
        assertEquals(expectedJson(), PcrSignature.json(sections, vectorKey()));
    }

    @Test
    void pcrValueFollowsTheExtendRuleIndependentlyComputed() throws Exception {
        Map<String, Section> sections = new LinkedHashMap<>();
        sections.put(".linux", Section.ofBytes(".linux", "kernel".getBytes(StandardCharsets.US_ASCII)));
        sections.put(".cmdline", Section.ofBytes(".cmdline", "console=ttyS0".getBytes(StandardCharsets.US_ASCII)));
        Map<Bank, byte[]> pcrs = PcrSignature.expectedPcr11(sections);
        for (Bank bank : Bank.values()) {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance(bank.digest);
            byte[] pcr = new byte[md.getDigestLength()];
            for (String x : List.of(".linux\0", "kernel", ".cmdline\0", "console=ttyS0",
                    "enter-initrd", "leave-initrd", "enter-machined")) {
                md.update(pcr);
                md.update(java.security.MessageDigest.getInstance(bank.digest).digest(x.getBytes(StandardCharsets.US_ASCII)));
                pcr = md.digest();
            }
            assertArrayEquals(pcr, pcrs.get(bank), bank.name());
        }
    }

    @Test
    void policyAndSignatureVerifyWithThePublicKey() throws Exception {
        PcrKey key = vectorKey();
        String json = PcrSignature.json(vectorSections(), key);
        Pattern entry = Pattern.compile("\"(sha\\d+)\":\\[\\{\"pcrs\":\\[11\\],\"pkfp\":\"([0-9a-f]{64})\",\"pol\":\"([0-9a-f]{64})\",\"sig\":\"([A-Za-z0-9+/=]+)\"\\}\\]");
        Matcher m = entry.matcher(json);
        int found = 0;
        Map<Bank, byte[]> pcrs = PcrSignature.expectedPcr11(vectorSections());
        while (m.find()) {
            found++;
            Bank bank = Bank.valueOf(m.group(1).toUpperCase());
            assertEquals(HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(key.pkcs1PublicKey())),
                    m.group(2));
            byte[] policy = HexFormat.of().parseHex(m.group(3));
            assertArrayEquals(PcrSignature.policyPcrDigest(bank, pcrs.get(bank)), policy);
            Signature verify = Signature.getInstance(bank.signatureDigest + "withRSA");
            verify.initVerify(key.publicKey());
            verify.update(policy);
            assertTrue(verify.verify(Base64.getDecoder().decode(m.group(4))), bank.name());
        }
        assertEquals(3, found, json);
    }

    @Test
    void pcrpkeyIsGoPemOfTheSpki() {
        PcrKey key = vectorKey();
        String pem = new String(key.pcrpkey(), StandardCharsets.US_ASCII);
        assertTrue(pem.startsWith("-----BEGIN PUBLIC KEY-----\n"), pem);
        assertTrue(pem.endsWith("\n-----END PUBLIC KEY-----\n"), pem);
        String[] lines = pem.split("\n");
        for (int i = 1; i < lines.length - 2; i++) {
            assertEquals(64, lines[i].length(), "line " + i);
        }
        assertTrue(lines[lines.length - 2].length() <= 64 && !lines[lines.length - 2].isEmpty());
        String body = String.join("", java.util.Arrays.copyOfRange(lines, 1, lines.length - 1));
        assertArrayEquals(key.publicKey().getEncoded(), Base64.getDecoder().decode(body));
        assertEquals("58f58f625bd8a8b6681e4b40688cf99b26419b6b2c5f6e14a2c7c67a3b0b1620", key.pkfp());
        assertFalse(key.toString().contains("PRIVATE"));
    }

    // ---------------------------------------------------------------- profiles (spec §4.4 step 1)

    private static Section s(String name, String content) {
        return Section.ofBytes(name, content.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void profilesShareTheCommonSectionsAndOverrideByName() {
        Section sbat = s(".sbat", "sbat");
        Section osrel = s(".osrel", "osrel");
        Section cmdline = s(".cmdline", "base");
        Section linux = s(".linux", "kernel");
        Section initrd = s(".initrd", "initrd");
        Section mainProfile = s(".profile", "ID=main");
        Section mainSig = s(".pcrsig", "{}");
        Section resetProfile = s(".profile", "ID=reset\nTITLE=Reset system disk");
        Section resetCmdline = s(".cmdline", "base talos.experimental.wipe=system");
        Section resetSig = s(".pcrsig", "{}");
        List<Section> uki = List.of(s(".text", "code"), sbat, osrel, cmdline, linux, initrd,
                mainProfile, mainSig, resetProfile, resetCmdline, resetSig);

        List<Map<String, Section>> profiles = PcrSignature.measuredPerProfile(uki);
        assertEquals(2, profiles.size());
        Map<String, Section> main = profiles.get(0);
        assertEquals(List.of(".sbat", ".osrel", ".cmdline", ".linux", ".initrd", ".profile"), List.copyOf(main.keySet()));
        assertEquals(cmdline, main.get(".cmdline"));
        assertEquals(mainProfile, main.get(".profile"));
        Map<String, Section> reset = profiles.get(1);
        assertEquals(List.of(".sbat", ".osrel", ".cmdline", ".linux", ".initrd", ".profile"), List.copyOf(reset.keySet()));
        assertEquals(resetCmdline, reset.get(".cmdline"), "the profile's own .cmdline replaces the common one");
        assertEquals(resetProfile, reset.get(".profile"));
        assertEquals(linux, reset.get(".linux"));
    }

    @Test
    void withoutProfilesEverythingMeasuredIsOneSet() throws IOException {
        List<Section> uki = List.of(s(".text", "code"), s(".sbat", "sbat"), s(".osrel", "o"), s(".cmdline", "c"),
                s(".linux", "k"), s(".initrd", "i"), s(".pcrsig", "{}"));
        List<Map<String, Section>> sets = PcrSignature.measuredPerProfile(uki);
        assertEquals(1, sets.size());
        assertEquals(List.of(".sbat", ".osrel", ".cmdline", ".linux", ".initrd"), List.copyOf(sets.get(0).keySet()));
    }

    @Test
    void differentProfilesGiveDifferentSignatures() throws IOException {
        List<Section> uki = List.of(s(".osrel", "o"), s(".cmdline", "c"), s(".linux", "k"), s(".initrd", "i"),
                s(".profile", "ID=main"), s(".profile", "ID=reset"), s(".cmdline", "c wipe"));
        List<Map<String, Section>> sets = PcrSignature.measuredPerProfile(uki);
        assertNotEquals(PcrSignature.json(sets.get(0), vectorKey()), PcrSignature.json(sets.get(1), vectorKey()));
    }

    @Test
    void largeSectionIsStreamed(@TempDir Path dir) throws Exception {
        // 64 MiB of initrd with a small heap budget would still work; here: the result equals a direct digest chain
        Path initrd = dir.resolve("initrd");
        byte[] chunk = new byte[1 << 20];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (byte) (i * 31);
        }
        java.security.MessageDigest whole = java.security.MessageDigest.getInstance("SHA-256");
        try (OutputStream out = Files.newOutputStream(initrd)) {
            for (int i = 0; i < 64; i++) {
                out.write(chunk);
                whole.update(chunk);
            }
        }
        Map<String, Section> sections = Map.of(".initrd", Section.ofFile(".initrd", initrd));
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        byte[] pcr = new byte[32];
        List<byte[]> inputs = List.of(md.digest(".initrd\0".getBytes(StandardCharsets.US_ASCII)), whole.digest(),
                md.digest("enter-initrd".getBytes(StandardCharsets.US_ASCII)),
                md.digest("leave-initrd".getBytes(StandardCharsets.US_ASCII)),
                md.digest("enter-machined".getBytes(StandardCharsets.US_ASCII)));
        for (byte[] in : inputs) {
            md.update(pcr);
            md.update(in);
            pcr = md.digest();
        }
        assertArrayEquals(pcr, PcrSignature.expectedPcr11(sections).get(Bank.SHA256));
    }
}
