package dev.imagefactory.build.uki;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.model.Quirks;
import dev.imagefactory.model.TalosVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Section order and contents (talos-imager.md §4.2) and the per-profile measured sets handed to the signer (§4.4). */
class UkiSectionsTest {

    static final String CMDLINE = "console=ttyS0 talos.platform=metal";
    static final byte[] PCR_KEY = "-----BEGIN PUBLIC KEY-----\nfake\n-----END PUBLIC KEY-----\n".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    static Path tmp;
    static PeFile stub;
    static String release;
    static Path splash;

    @BeforeAll
    static void read() throws IOException {
        stub = PeFile.read(Fixtures.stub());
        release = Fixtures.kernelReleaseFromRootfs(tmp);
        splash = Files.write(tmp.resolve("splash.bmp"), "BM fake splash".getBytes(StandardCharsets.US_ASCII));
    }

    static UkiInputs inputs(String version) {
        return UkiInputs.of(Fixtures.stub(), Fixtures.kernel(), Fixtures.initramfs(), CMDLINE, version,
                Quirks.of(TalosVersion.parse(version)));
    }

    /** Records what it is asked to sign and answers a recognisable signature. */
    static final class RecordingSigner implements PcrSigner {
        final List<Map<String, SectionContent>> calls = new ArrayList<>();

        @Override
        public byte[] sign(Map<String, SectionContent> measured) {
            calls.add(measured);
            return ("{\"sig\":" + calls.size() + "}").getBytes(StandardCharsets.US_ASCII);
        }
    }

    @Test
    void unsignedTalos111() throws Exception {
        List<Section> sections = UkiSections.forInputs(inputs("v1.11.0"), stub);
        assertEquals(List.of(".osrel", ".cmdline", ".uname", ".linux", ".initrd", ".profile"), names(sections));
        assertEquals("""
                NAME="Talos"
                ID=talos
                VERSION_ID=v1.11.0
                PRETTY_NAME="Talos (v1.11.0)"
                HOME_URL="https://www.talos.dev/"
                BUG_REPORT_URL="https://github.com/siderolabs/talos/issues"
                VENDOR_NAME="Sidero Labs"
                VENDOR_URL="https://www.siderolabs.com/"
                """, text(sections.get(0)));
        assertEquals(CMDLINE, text(sections.get(1)));
        assertEquals(release, text(sections.get(2)));
        assertEquals(Files.size(Fixtures.kernel()), sections.get(3).size());
        assertEquals(Fixtures.kernel(), ((SectionContent.FileRange) sections.get(3).content()).file());
        assertEquals(Fixtures.initramfs(), ((SectionContent.FileRange) sections.get(4).content()).file());
        assertEquals("ID=main", text(sections.get(5)));
    }

    @Test
    void unsignedBefore110HasNoProfilesAndIgnoresExtraOnes() throws Exception {
        List<Section> sections = UkiSections.forInputs(inputs("v1.9.5")
                .withExtraProfiles(List.of(UkiProfile.isoReset(CMDLINE))), stub);
        assertEquals(List.of(".osrel", ".cmdline", ".uname", ".linux", ".initrd"), names(sections));
    }

    @Test
    void extraProfilesFollowMain() throws Exception {
        List<Section> sections = UkiSections.forInputs(inputs("v1.12.0").withSplash(splash)
                .withExtraProfiles(List.of(UkiProfile.resetToMaintenance(CMDLINE))), stub);
        assertEquals(List.of(".osrel", ".cmdline", ".uname", ".splash", ".linux", ".initrd", ".profile", ".profile",
                ".cmdline"), names(sections));
        assertEquals("ID=reset-maintenance\nTITLE=Reset to maintenance mode", text(sections.get(7)));
        assertEquals(CMDLINE + " talos.experimental.wipe=system:EPHEMERAL,STATE", text(sections.get(8)));
    }

    @Test
    void signedTalos111SignsEachProfile() throws Exception {
        RecordingSigner signer = new RecordingSigner();
        List<Section> sections = UkiSections.forInputs(inputs("v1.11.0").withSplash(splash).signed(PCR_KEY, signer)
                .withExtraProfiles(List.of(UkiProfile.isoReset(CMDLINE))), stub);
        assertEquals(List.of(".osrel", ".cmdline", ".uname", ".splash", ".pcrpkey", ".linux", ".initrd",
                ".profile", ".pcrsig", ".profile", ".cmdline", ".pcrsig"), names(sections));
        assertArrayEquals(PCR_KEY, sections.get(4).content().readAllBytes());
        assertEquals("{\"sig\":1}", text(sections.get(8)));
        assertEquals("{\"sig\":2}", text(sections.get(11)));

        assertEquals(2, signer.calls.size());
        List<String> measuredNames = List.of(".linux", ".osrel", ".cmdline", ".initrd", ".splash", ".uname", ".sbat",
                ".pcrpkey", ".profile");
        Map<String, SectionContent> main = signer.calls.get(0);
        Map<String, SectionContent> reset = signer.calls.get(1);
        assertEquals(measuredNames, List.copyOf(main.keySet()), "§4.4 order");
        assertEquals(measuredNames, List.copyOf(reset.keySet()), "§4.4 order");
        assertEquals(CMDLINE, text(main.get(".cmdline")));
        assertEquals("ID=main", text(main.get(".profile")));
        assertEquals(CMDLINE + " talos.experimental.wipe=system", text(reset.get(".cmdline")));
        assertEquals("ID=reset\nTITLE=Reset system disk", text(reset.get(".profile")));
        for (Map<String, SectionContent> measured : signer.calls) {
            assertSame(sections.get(5).content(), measured.get(".linux"));
            assertSame(sections.get(6).content(), measured.get(".initrd"));
            assertArrayEquals(PCR_KEY, measured.get(".pcrpkey").readAllBytes());
            assertArrayEquals(stubSbat(), measured.get(".sbat").readAllBytes(), "the stub's .sbat up to VirtualSize");
        }
        assertEquals(signer.calls, UkiSections.measuredPerProfile(withStubSbat(sections)),
                "the signer saw what measuredPerProfile gives for the final list");
    }

    @Test
    void aSignerOfKnownSizeSignsBesideTheWritingAndGivesTheSameSections() throws Exception {
        UkiInputs unsigned = inputs("v1.12.0").withExtraProfiles(List.of(UkiProfile.isoReset(CMDLINE)));
        List<Section> direct = UkiSections.forInputs(unsigned.signed(PCR_KEY, new RecordingSigner()), stub);
        CountDownLatch release = new CountDownLatch(1);
        Set<String> threads = ConcurrentHashMap.newKeySet();
        RecordingSigner recording = new RecordingSigner();
        PcrSigner slow = measured -> {
            threads.add(Thread.currentThread().getName());
            try {
                assertTrue(release.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            synchronized (recording) {
                return recording.sign(measured);
            }
        };
        List<Section> deferred = UkiSections.forInputs(unsigned.signed(PCR_KEY, PcrSigner.ofSize(9, slow)), stub);

        assertEquals(names(direct), names(deferred));
        Section pcrsig = deferred.get(names(deferred).indexOf(".pcrsig"));
        assertInstanceOf(SectionContent.Deferred.class, pcrsig.content(), "laid out before it is signed");
        assertEquals(9, pcrsig.size());
        release.countDown();
        Set<String> signatures = new java.util.HashSet<>();
        for (int i = 0; i < deferred.size(); i++) {
            if (deferred.get(i).name().equals(".pcrsig")) {
                signatures.add(text(deferred.get(i)));
            } else {
                assertArrayEquals(direct.get(i).content().readAllBytes(), deferred.get(i).content().readAllBytes());
            }
        }
        assertEquals(Set.of("{\"sig\":1}", "{\"sig\":2}"), signatures, "each profile signed once, off this thread");
        assertFalse(threads.contains(Thread.currentThread().getName()));
    }

    @Test
    void aSignatureOfAnotherSizeThanLaidOutFailsTheWrite() throws Exception {
        List<Section> sections = UkiSections.forInputs(inputs("v1.9.0").signed(PCR_KEY,
                PcrSigner.ofSize(5, new RecordingSigner())), stub);
        SectionContent pcrsig = sections.get(sections.size() - 1).content();
        IOException e = assertThrows(IOException.class, () -> pcrsig.writeTo(java.nio.channels.Channels.newChannel(
                java.io.OutputStream.nullOutputStream())));
        assertTrue(e.getMessage().contains("9 bytes long, 5 were laid out"), e.getMessage());
    }

    @Test
    void signedBefore110HasOneSignatureLast() throws Exception {
        RecordingSigner signer = new RecordingSigner();
        List<Section> sections = UkiSections.forInputs(inputs("v1.9.0").signed(PCR_KEY, signer), stub);
        assertEquals(List.of(".osrel", ".cmdline", ".uname", ".pcrpkey", ".linux", ".initrd", ".pcrsig"), names(sections));
        assertEquals(1, signer.calls.size());
        assertEquals(List.of(".linux", ".osrel", ".cmdline", ".initrd", ".uname", ".sbat", ".pcrpkey"),
                List.copyOf(signer.calls.get(0).keySet()));
    }

    @Test
    void measuredSetsPerProfile() throws Exception {
        List<Section> sections = List.of(Section.of(".text", "code"), Section.of(".sbat", "sbat"),
                Section.of(".osrel", "os"), Section.of(".cmdline", "base"), Section.of(".cmdline", "base2"),
                Section.of(".linux", "k"), Section.of(".profile", "ID=main"), Section.of(".pcrsig", "s1"),
                Section.of(".profile", "ID=a"), Section.of(".cmdline", "a"), Section.of(".pcrsig", "s2"),
                Section.of(".profile", "ID=b"), Section.of(".pcrsig", "s3"));
        List<Map<String, SectionContent>> profiles = UkiSections.measuredPerProfile(sections);
        assertEquals(3, profiles.size());
        assertEquals(Map.of(".linux", "k", ".osrel", "os", ".cmdline", "base2", ".sbat", "sbat", ".profile", "ID=main"),
                texts(profiles.get(0)), "a later section replaces an earlier one");
        assertEquals(Map.of(".linux", "k", ".osrel", "os", ".cmdline", "a", ".sbat", "sbat", ".profile", "ID=a"),
                texts(profiles.get(1)), "the profile's own .cmdline replaces the base one");
        assertEquals(Map.of(".linux", "k", ".osrel", "os", ".cmdline", "base2", ".sbat", "sbat", ".profile", "ID=b"),
                texts(profiles.get(2)), "not profile a's .cmdline");
        assertEquals(List.of(".linux", ".osrel", ".cmdline", ".sbat", ".profile"), List.copyOf(profiles.get(0).keySet()));

        List<Map<String, SectionContent>> none = UkiSections.measuredPerProfile(sections.subList(0, 6));
        assertEquals(1, none.size());
        assertEquals(Map.of(".linux", "k", ".osrel", "os", ".cmdline", "base2", ".sbat", "sbat"), texts(none.get(0)));
    }

    @Test
    void osReleaseOfAnotherName() {
        String text = UkiSections.osRelease("Talos Enterprise", "v1.10.0");
        assertTrue(text.startsWith("NAME=\"Talos Enterprise\"\nID=talos_enterprise\nVERSION_ID=v1.10.0\n"
                + "PRETTY_NAME=\"Talos Enterprise (v1.10.0)\"\n"), text);
    }

    @Test
    void unameIsOmittedWhenTheKernelHasNoBzImageHeader() throws Exception {
        Path image = Files.write(tmp.resolve("Image"), new byte[0x4000]);
        UkiInputs arm64 = new UkiInputs(Fixtures.stub(), image, Fixtures.initramfs(), CMDLINE, UkiInputs.TALOS,
                "v1.11.0", Quirks.of(TalosVersion.parse("v1.11.0")), null, null, null, List.of());
        assertEquals(List.of(".osrel", ".cmdline", ".linux", ".initrd", ".profile"),
                names(UkiSections.forInputs(arm64, stub)));
    }

    @Test
    void rejectsInconsistentInputs() {
        UkiInputs base = inputs("v1.11.0");
        assertThrows(IllegalArgumentException.class, () -> new UkiInputs(base.stub(), base.kernel(), base.initrd(),
                CMDLINE, UkiInputs.TALOS, "v1.11.0", base.quirks(), null, PCR_KEY, null, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new UkiInputs(base.stub(), base.kernel(), base.initrd(),
                CMDLINE, UkiInputs.TALOS, "v1.11.0", base.quirks(), null, null, m -> new byte[1], List.of()));
        assertThrows(IllegalArgumentException.class, () -> new UkiProfile("main", "Main", CMDLINE));
        assertThrows(IllegalArgumentException.class, () -> new UkiProfile("x", "two\nlines", CMDLINE));
        assertThrows(IOException.class, () -> UkiSections.forInputs(base.signed(PCR_KEY, m -> new byte[0]), stub));
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /** The stub's .sbat as objcopy extracts it (VirtualSize bytes), independent of PeFile. */
    private static byte[] stubSbat() throws IOException {
        Path out = tmp.resolve("sbat.bin");
        Fixtures.run("objcopy", "-O", "binary", "--only-section=.sbat", Fixtures.stub().toString(), out.toString());
        byte[] bytes = Files.readAllBytes(out);
        assertTrue(new String(bytes, StandardCharsets.US_ASCII).startsWith("sbat,1,"));
        return bytes;
    }

    private static List<Section> withStubSbat(List<Section> sections) throws IOException {
        List<Section> all = new ArrayList<>(UkiSections.measuredFromStub(stub));
        all.addAll(sections);
        return all;
    }

    private static List<String> names(List<Section> sections) {
        return sections.stream().map(Section::name).toList();
    }

    private static String text(Section section) throws IOException {
        return text(section.content());
    }

    private static String text(SectionContent content) throws IOException {
        return new String(content.readAllBytes(), StandardCharsets.UTF_8);
    }

    private static Map<String, String> texts(Map<String, SectionContent> measured) throws IOException {
        Map<String, String> texts = new HashMap<>();
        for (Map.Entry<String, SectionContent> e : measured.entrySet()) {
            texts.put(e.getKey(), text(e.getValue()));
        }
        return texts;
    }
}
