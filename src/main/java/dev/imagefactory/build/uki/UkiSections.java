package dev.imagefactory.build.uki;

import dev.imagefactory.content.DaemonThreads;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Which sections a UKI gets, in which order (talos-imager.md §4.2), and which of them each profile's PCR signature
 * covers (§4.4 step 1).
 *
 * <pre>
 * .osrel .cmdline [.uname] [.splash] [.pcrpkey] .linux .initrd
 *   >= 1.10: .profile(ID=main) [.pcrsig]  then per extra profile: .profile(ID,TITLE) .cmdline [.pcrsig]
 *   <  1.10: [.pcrsig]
 * </pre>
 * Brackets: {@code .uname} when the kernel header gives one, {@code .splash} when a splash file is given,
 * {@code .pcrpkey} and {@code .pcrsig} for signed builds only.
 */
public final class UkiSections {

    public static final String OSREL = ".osrel";
    public static final String CMDLINE = ".cmdline";
    public static final String UNAME = ".uname";
    public static final String SPLASH = ".splash";
    public static final String PCRPKEY = ".pcrpkey";
    public static final String LINUX = ".linux";
    public static final String INITRD = ".initrd";
    public static final String PROFILE = ".profile";
    public static final String PCRSIG = ".pcrsig";
    public static final String SBAT = ".sbat";

    /** The sections that are measured into PCR 11, in the order they are measured (§4.4); .pcrsig is not. */
    public static final List<String> MEASUREMENT_ORDER = List.of(LINUX, OSREL, CMDLINE, INITRD, ".ucode", SPLASH,
            ".dtb", UNAME, SBAT, PCRPKEY, PROFILE, ".dtbauto", ".hwids");

    /** Signs the profiles' {@code .pcrsig} of signers whose signature size is known (daemon threads). */
    private static final ExecutorService SIGNING = Executors.newCachedThreadPool(
            DaemonThreads.named("uki-pcr-signature-"));

    private UkiSections() {
    }

    /**
     * The sections to append to the stub, in order. For signed builds the signer is called at each {@code .pcrsig}
     * with what that profile measures: the stub's {@code .sbat} and the sections before it (see
     * {@link #measuredPerProfile}).
     */
    public static List<Section> forInputs(UkiInputs inputs, PeFile stub) throws IOException {
        List<Section> sections = new ArrayList<>();
        sections.add(Section.of(OSREL, osRelease(inputs.osName(), inputs.version())));
        sections.add(Section.of(CMDLINE, inputs.cmdline()));
        Optional<String> release = BzImage.kernelRelease(inputs.kernel());
        if (release.isPresent()) {
            sections.add(Section.of(UNAME, release.get().getBytes(StandardCharsets.ISO_8859_1)));
        }
        if (inputs.splash() != null) {
            sections.add(Section.ofFile(SPLASH, inputs.splash()));
        }
        if (inputs.isSigned()) {
            sections.add(Section.of(PCRPKEY, inputs.pcrPublicKey()));
        }
        sections.add(Section.ofFile(LINUX, inputs.kernel()));
        sections.add(Section.ofFile(INITRD, inputs.initrd()));

        List<Section> fromStub = measuredFromStub(stub);
        if (inputs.quirks().supportsUkiProfiles()) {
            sections.add(Section.of(PROFILE, "ID=" + UkiProfile.MAIN));
            addSignature(inputs, fromStub, sections);
            for (UkiProfile profile : inputs.extraProfiles()) {
                sections.add(Section.of(PROFILE, profile.profileText()));
                sections.add(Section.of(CMDLINE, profile.cmdline()));
                addSignature(inputs, fromStub, sections);
            }
        } else {
            addSignature(inputs, fromStub, sections);
        }
        return List.copyOf(sections);
    }

    /** For signed builds, the {@code .pcrsig} of the last profile so far (or of the whole UKI without profiles). */
    private static void addSignature(UkiInputs inputs, List<Section> fromStub, List<Section> sections)
            throws IOException {
        if (!inputs.isSigned()) {
            return;
        }
        List<Section> all = new ArrayList<>(fromStub);
        all.addAll(sections);
        List<Map<String, SectionContent>> measured = measuredPerProfile(all);
        Map<String, SectionContent> profile = measured.get(measured.size() - 1);
        PcrSigner signer = inputs.pcrSigner();
        OptionalLong size = signer.signatureSize();
        if (size.isPresent()) {
            // signed beside the writing of the sections before it: the writer waits at .pcrsig if it gets there first
            CompletableFuture<byte[]> signature = CompletableFuture.supplyAsync(() -> {
                try {
                    return signer.sign(profile);
                } catch (IOException e) {
                    throw new CompletionException(e);
                }
            }, SIGNING);
            sections.add(new Section(PCRSIG, SectionContent.deferred(size.getAsLong(), signature)));
            return;
        }
        byte[] signature = signer.sign(profile);
        if (signature == null || signature.length == 0) {
            throw new IOException("the PCR signer returned no .pcrsig content");
        }
        sections.add(Section.of(PCRSIG, signature));
    }

    /** What the stub contributes to the measurement: its {@code .sbat} (data truncated to VirtualSize), if any. */
    public static List<Section> measuredFromStub(PeFile stub) throws IOException {
        Optional<PeFile.SectionHeader> sbat = stub.section(SBAT);
        return sbat.isEmpty() ? List.of() : List.of(new Section(SBAT, stub.data(sbat.get())));
    }

    /**
     * The measured sections of each profile (§4.4 step 1), in profile order; a single entry when there is no
     * {@code .profile}. Each holds the measured sections before the first {@code .profile}, then that profile's
     * {@code .profile} and the sections after it up to the next one; a later section replaces an earlier one of the
     * same name. Maps iterate in {@link #MEASUREMENT_ORDER} and never contain unmeasured sections.
     *
     * @param sections the stub's measured sections ({@link #measuredFromStub}) followed by the appended ones
     */
    public static List<Map<String, SectionContent>> measuredPerProfile(List<Section> sections) {
        Map<String, SectionContent> base = new HashMap<>();
        List<Map<String, SectionContent>> profiles = new ArrayList<>();
        Map<String, SectionContent> current = base;
        for (Section section : sections) {
            if (section.name().equals(PROFILE)) {
                current = new HashMap<>(base);
                profiles.add(current);
            }
            if (MEASUREMENT_ORDER.contains(section.name())) {
                current.put(section.name(), section.content());
            }
        }
        if (profiles.isEmpty()) {
            profiles.add(base);
        }
        List<Map<String, SectionContent>> ordered = new ArrayList<>();
        for (Map<String, SectionContent> profile : profiles) {
            Map<String, SectionContent> inOrder = new LinkedHashMap<>();
            for (String name : MEASUREMENT_ORDER) {
                if (profile.containsKey(name)) {
                    inOrder.put(name, profile.get(name));
                }
            }
            ordered.add(Collections.unmodifiableMap(inOrder));
        }
        return List.copyOf(ordered);
    }

    /** The {@code .osrel} text (Talos {@code OSReleaseTemplate}); every line ends with a newline. */
    public static String osRelease(String name, String version) {
        return "NAME=\"" + name + "\"\n"
                + "ID=" + name.toLowerCase(Locale.ROOT).replace(' ', '_') + "\n"
                + "VERSION_ID=" + version + "\n"
                + "PRETTY_NAME=\"" + name + " (" + version + ")\"\n"
                + "HOME_URL=\"https://www.talos.dev/\"\n"
                + "BUG_REPORT_URL=\"https://github.com/siderolabs/talos/issues\"\n"
                + "VENDOR_NAME=\"Sidero Labs\"\n"
                + "VENDOR_URL=\"https://www.siderolabs.com/\"\n";
    }
}
