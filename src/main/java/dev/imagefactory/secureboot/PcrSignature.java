package dev.imagefactory.secureboot;

import dev.imagefactory.content.ConcurrentDigests;
import dev.imagefactory.content.ContentDigests;
import dev.imagefactory.content.Digests;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The signed PCR 11 policy of a UKI, the content of its {@code .pcrsig} section (talos-imager spec §4.4), in the
 * format systemd-stub and systemd's TPM2 unlock code read.
 *
 * <p>PCR 11 is what systemd-stub measures: for each UKI section of {@link #MEASURED_ORDER} that is present, its name
 * followed by a NUL byte and then its content, each extended as {@code pcr := H(pcr || H(x))}; then
 * systemd-pcrphase's phase strings {@link #PHASES}. After {@code enter-machined} the expected value is bound into a
 * TPM2 {@code PolicyPCR} digest (always SHA-256) which is RSA PKCS#1 v1.5-signed with the PCR key, once per bank
 * (SHA-256, SHA-384, SHA-512; the bank's hash both for the PCR and for the signature).
 *
 * <p>Section contents are streamed, never held whole: an initrd can be hundreds of MiB. Each section is read once
 * for all three banks.
 */
public final class PcrSignature {

    /** The order in which systemd-stub measures UKI sections (systemd's {@code unified_sections}). */
    public static final List<String> MEASURED_ORDER = List.of(".linux", ".osrel", ".cmdline", ".initrd", ".ucode",
            ".splash", ".dtb", ".uname", ".sbat", ".pcrpkey", ".profile", ".dtbauto", ".hwids");

    /** Boot phases systemd-pcrphase extends into PCR 11; the policy is signed for the state after the last one. */
    public static final List<String> PHASES = List.of("enter-initrd", "leave-initrd", "enter-machined");

    static final String PROFILE = ".profile";
    private static final int PCR = 11;
    /** TPM_CC_PolicyPCR */
    private static final int TPM_CC_POLICY_PCR = 0x0000017F;

    /** The PCR banks signed, in the JSON's key order, with their TPM algorithm IDs. */
    enum Bank {
        SHA256("sha256", "SHA-256", "SHA256", 0x000B),
        SHA384("sha384", "SHA-384", "SHA384", 0x000C),
        SHA512("sha512", "SHA-512", "SHA512", 0x000D);

        final String jsonName;
        final String digest;
        final String signatureDigest;
        final int tpmAlgorithm;

        Bank(String jsonName, String digest, String signatureDigest, int tpmAlgorithm) {
            this.jsonName = jsonName;
            this.digest = digest;
            this.signatureDigest = signatureDigest;
            this.tpmAlgorithm = tpmAlgorithm;
        }

        byte[] hash(byte[]... parts) {
            return Digests.raw(digest, parts);
        }
    }

    /**
     * The PCR banks' digests other than SHA-256 (JCA names): taken beside a file's SHA-256 while it is written
     * ({@code ContentDigests}), they spare a signature the reading of a section whose SHA-256 is known.
     */
    public static final List<String> DIGESTS_BESIDE_SHA256 = Arrays.stream(Bank.values())
            .filter(bank -> bank != Bank.SHA256).map(bank -> bank.digest).toList();

    /** Opens a section's content afresh for each read (it is read once per signature). */
    @FunctionalInterface
    public interface ContentSource {
        InputStream open() throws IOException;
    }

    /**
     * One UKI section: its name and its content, a file or another stream source (streamed), or a small array. Its
     * digests are computed on first use and kept: a UKI with profiles signs one {@code .pcrsig} per profile, and every
     * profile measures the same {@code .linux} and {@code .initrd}, so the same Section signed again is not re-read.
     */
    public static final class Section {
        private final String name;
        private final Path file;
        private final byte[] bytes;
        private final ContentSource source;
        private Map<Bank, byte[]> digests;
        /** The content's SHA-256 (hex), when known beforehand: its other digests may be known too. */
        private final String knownSha256;

        private Section(String name, Path file, byte[] bytes) {
            this(name, file, bytes, null, null);
        }

        private Section(String name, Path file, byte[] bytes, ContentSource source, String knownSha256) {
            this.name = Objects.requireNonNull(name, "name");
            this.file = file;
            this.bytes = bytes;
            this.source = source;
            this.knownSha256 = knownSha256;
        }

        /** Content read through {@code source}, e.g. a range of a larger file such as the stub's {@code .sbat}. */
        public static Section ofSource(String name, ContentSource source) {
            return new Section(name, null, null, Objects.requireNonNull(source, "source"), null);
        }

        /**
         * {@link #ofSource}, for content whose SHA-256 is {@code sha256Hex} (a cached artifact's): when its other
         * banks' digests were taken while it was written ({@link ContentDigests}), it is not read at all.
         */
        public static Section ofSource(String name, ContentSource source, String sha256Hex) {
            return new Section(name, null, null, Objects.requireNonNull(source, "source"),
                    Objects.requireNonNull(sha256Hex, "sha256Hex"));
        }

        public static Section ofFile(String name, Path file) {
            return new Section(name, Objects.requireNonNull(file, "file"), null);
        }

        public static Section ofBytes(String name, byte[] content) {
            return new Section(name, null, Objects.requireNonNull(content, "content").clone());
        }

        public String name() {
            return name;
        }

        /** The content hashed with every bank's algorithm, the banks at once (an .initrd is ~250 MB); once. */
        synchronized Map<Bank, byte[]> digests() throws IOException {
            if (digests == null && knownSha256 != null) {
                Optional<Map<String, byte[]>> others = ContentDigests.of(knownSha256, DIGESTS_BESIDE_SHA256);
                if (others.isPresent()) {
                    Map<Bank, byte[]> out = new EnumMap<>(Bank.class);
                    out.put(Bank.SHA256, HexFormat.of().parseHex(knownSha256));
                    for (Bank bank : Bank.values()) {
                        out.putIfAbsent(bank, others.get().get(bank.digest));
                    }
                    digests = out;
                }
            }
            if (digests == null) {
                Map<String, byte[]> byAlgorithm = ConcurrentDigests.raw(this::open,
                        Arrays.stream(Bank.values()).map(bank -> bank.digest).toList());
                Map<Bank, byte[]> out = new EnumMap<>(Bank.class);
                for (Bank bank : Bank.values()) {
                    out.put(bank, byAlgorithm.get(bank.digest));
                }
                digests = out;
            }
            return digests;
        }

        InputStream open() throws IOException {
            if (source != null) {
                return source.open();
            }
            return file != null ? Files.newInputStream(file) : new ByteArrayInputStream(bytes);
        }

        @Override
        public String toString() {
            return name + (file != null ? " <" + file + ">" : bytes != null ? " (" + bytes.length + " bytes)" : " (stream)");
        }
    }

    /** One bank's entry of the JSON. */
    record BankSignature(Bank bank, String pkfp, byte[] policy, byte[] signature) {
    }

    private PcrSignature() {
    }

    /**
     * Splits a UKI's full ordered section list into the measured set of each profile (spec §4.4 step 1): the
     * sections before the first {@code .profile} are common; each {@code .profile} adds itself and the sections up to
     * the next {@code .profile}; a later section replaces an earlier one of the same name (so a profile's own
     * {@code .cmdline} wins over the common one). Sections that are not measured ({@code .pcrsig}, the stub's code) are
     * left out. Without any {@code .profile} (Talos before 1.10) the result is one set: everything measured.
     *
     * @return one name → section map per profile, in the order of the {@code .profile} sections
     */
    public static List<Map<String, Section>> measuredPerProfile(List<Section> sections) {
        Map<String, Section> common = new LinkedHashMap<>();
        List<Map<String, Section>> profiles = new ArrayList<>();
        Map<String, Section> current = null;
        for (Section section : sections) {
            if (section.name().equals(PROFILE)) {
                current = new LinkedHashMap<>(common);
                profiles.add(current);
            }
            if (!MEASURED_ORDER.contains(section.name())) {
                continue;
            }
            (current == null ? common : current).put(section.name(), section);
        }
        if (profiles.isEmpty()) {
            profiles.add(common);
        }
        return profiles;
    }

    /**
     * The {@code .pcrsig} content for one measured set (a profile's, see {@link #measuredPerProfile}): Go's compact
     * JSON {@code {"sha256":[{"pcrs":[11],"pkfp":…,"pol":…,"sig":…}],"sha384":[…],"sha512":[…]}}, no trailing
     * newline. Sections whose name is not in {@link #MEASURED_ORDER} are ignored.
     */
    public static String json(Map<String, Section> measured, PcrKey key) throws IOException {
        return render(sign(measured, key));
    }

    /**
     * The size of every {@code .pcrsig} {@code key} makes: the JSON's only variable parts are hex digests and
     * signatures, whose lengths the key fixes. Known before the sections are hashed, so a UKI can be laid out and
     * written while its signature is being computed.
     */
    public static long sectionSize(PcrKey key) {
        List<BankSignature> placeholders = new ArrayList<>();
        for (Bank bank : Bank.values()) {
            placeholders.add(new BankSignature(bank, key.pkfp(), new byte[Digests.rawLength("SHA-256")],
                    new byte[key.signatureLength()]));
        }
        return render(placeholders).getBytes(StandardCharsets.UTF_8).length;
    }

    private static String render(List<BankSignature> signatures) {
        StringBuilder json = new StringBuilder(2048).append('{');
        boolean first = true;
        for (BankSignature entry : signatures) {
            if (!first) {
                json.append(',');
            }
            first = false;
            json.append('"').append(entry.bank().jsonName).append("\":[{\"pcrs\":[").append(PCR)
                    .append("],\"pkfp\":\"").append(entry.pkfp())
                    .append("\",\"pol\":\"").append(HexFormat.of().formatHex(entry.policy()))
                    .append("\",\"sig\":\"").append(Base64.getEncoder().encodeToString(entry.signature()))
                    .append("\"}]");
        }
        return json.append('}').toString();
    }

    /** {@link #json} as the bytes of the section (UTF-8; the content is ASCII). */
    public static byte[] section(Map<String, Section> measured, PcrKey key) throws IOException {
        return json(measured, key).getBytes(StandardCharsets.UTF_8);
    }

    static List<BankSignature> sign(Map<String, Section> measured, PcrKey key) throws IOException {
        Map<Bank, byte[]> pcrs = expectedPcr11(measured);
        List<BankSignature> out = new ArrayList<>(pcrs.size());
        for (Map.Entry<Bank, byte[]> e : pcrs.entrySet()) {
            Bank bank = e.getKey();
            byte[] policy = policyPcrDigest(bank, e.getValue());
            // PKCS#1 v1.5 over H(policy), H = the bank's hash, with that hash's DigestInfo
            byte[] signature = key.sign(bank.signatureDigest, policy);
            out.add(new BankSignature(bank, key.pkfp(), policy, signature));
        }
        return out;
    }

    /** PCR 11 per bank after the sections and every phase, as systemd computes it at {@code enter-machined}. */
    static Map<Bank, byte[]> expectedPcr11(Map<String, Section> measured) throws IOException {
        Map<Bank, byte[]> pcrs = new EnumMap<>(Bank.class);
        for (Bank bank : Bank.values()) {
            pcrs.put(bank, new byte[Digests.rawLength(bank.digest)]);
        }
        for (String name : MEASURED_ORDER) {
            Section section = measured.get(name);
            if (section == null) {
                continue;
            }
            byte[] nameBytes = (name + "\0").getBytes(StandardCharsets.US_ASCII);
            Map<Bank, byte[]> contentDigests = section.digests();
            for (Bank bank : Bank.values()) {
                byte[] pcr = extend(bank, pcrs.get(bank), bank.hash(nameBytes));
                pcrs.put(bank, extend(bank, pcr, contentDigests.get(bank)));
            }
        }
        for (String phase : PHASES) {
            byte[] phaseBytes = phase.getBytes(StandardCharsets.US_ASCII);
            for (Bank bank : Bank.values()) {
                pcrs.put(bank, extend(bank, pcrs.get(bank), bank.hash(phaseBytes)));
            }
        }
        return pcrs;
    }

    private static byte[] extend(Bank bank, byte[] pcr, byte[] digest) {
        return bank.hash(pcr, digest);
    }

    /**
     * TPM2 {@code PolicyPCR} digest, starting from the empty (all-zero) SHA-256 policy: SHA256(zeros ‖
     * TPM_CC_PolicyPCR ‖ TPML_PCR_SELECTION{1, {bank, 3, 00 08 00}} ‖ SHA256(pcr value)).
     */
    static byte[] policyPcrDigest(Bank bank, byte[] pcrValue) {
        byte[] pcrDigest = Bank.SHA256.hash(pcrValue);
        byte[] pcrSelect = new byte[3];
        pcrSelect[PCR / 8] |= (byte) (1 << (PCR % 8));
        ByteBuffer policy = ByteBuffer.allocate(32 + 4 + 4 + 2 + 1 + pcrSelect.length + pcrDigest.length);
        policy.put(new byte[32])
                .putInt(TPM_CC_POLICY_PCR)
                .putInt(1) // TPML_PCR_SELECTION.count
                .putShort((short) bank.tpmAlgorithm)
                .put((byte) pcrSelect.length)
                .put(pcrSelect)
                .put(pcrDigest);
        return Bank.SHA256.hash(policy.array());
    }
}
