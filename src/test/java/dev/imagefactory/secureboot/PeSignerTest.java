package dev.imagefactory.secureboot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.boot.StandinRelease;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.jsign.pe.PEFile;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/**
 * Authenticode signing checked by independent verifiers: sbverify (sbsigntool) and osslsigncode, with the
 * stand-in release's systemd-boot.efi as the image.
 */
@Tag("slow")
class PeSignerTest {

    static Path systemdBoot;

    @BeforeAll
    static void release() {
        systemdBoot = StandinRelease.version(StandinRelease.V1_11).resolve("usr/install/amd64/systemd-boot.efi");
        assertTrue(Files.isRegularFile(systemdBoot), systemdBoot.toString());
    }

    record Run(int exit, String output) {
    }

    static Run run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " hung");
        return new Run(process.exitValue(), output);
    }

    static Run sbverify(Path cert, Path file) throws Exception {
        return run("sbverify", "--cert", cert.toString(), file.toString());
    }

    /** osslsigncode exits 0 only when every signature verifies against the CA file ("Succeeded"), else 1. */
    static Run osslsigncode(Path cert, Path file) throws Exception {
        return run("osslsigncode", "verify", "-CAfile", cert.toString(), "-in", file.toString());
    }

    @Test
    void signedSystemdBootVerifiesWithSbverifyAndOsslsigncode(@TempDir Path dir) throws Exception {
        Path signed = dir.resolve("systemd-boot.efi.signed");
        PeSigner.sign(systemdBoot, signed, TestKeys.material());

        Run sb = sbverify(TestKeys.certificatePem(), signed);
        assertEquals(0, sb.exit(), sb.output());
        assertTrue(sb.output().contains("Signature verification OK"), sb.output());

        Run ossl = osslsigncode(TestKeys.certificatePem(), signed);
        assertEquals(0, ossl.exit(), ossl.output());
        assertTrue(ossl.output().contains("Signature verification: ok"), ossl.output());
        assertTrue(ossl.output().contains("Succeeded"), ossl.output());
        assertTrue(ossl.output().contains("SHA256"), ossl.output());

        Run unsigned = sbverify(TestKeys.certificatePem(), systemdBoot);
        assertNotEquals(0, unsigned.exit(), "the input itself carries no signature: " + unsigned.output());
    }

    @Test
    void signatureIsAppendedAsWinCertificateAndTheImageIsUnchangedBeforeIt(@TempDir Path dir) throws Exception {
        Path signed = dir.resolve("signed.efi");
        PeSigner.sign(systemdBoot, signed, TestKeys.material());
        byte[] in = Files.readAllBytes(systemdBoot);
        byte[] out = Files.readAllBytes(signed);
        Pe pe = Pe.parse(out);
        assertTrue(pe.securitySize > 8, "security directory set");
        assertEquals(out.length, pe.securityOffset + pe.securitySize, "certificate table is the end of the file");
        assertEquals(0, pe.securityOffset % 8, "WIN_CERTIFICATE is 8-byte aligned");
        ByteBuffer cert = ByteBuffer.wrap(out, (int) pe.securityOffset, 8).order(ByteOrder.LITTLE_ENDIAN);
        int length = cert.getInt();
        assertEquals(0x0200, Short.toUnsignedInt(cert.getShort()), "WIN_CERT_REVISION_2_0");
        assertEquals(0x0002, Short.toUnsignedInt(cert.getShort()), "WIN_CERT_TYPE_PKCS_SIGNED_DATA");
        assertTrue(length <= pe.securitySize && length > 8);
        // the sections are untouched
        Pe original = Pe.parse(in);
        assertEquals(original.textOffset, pe.textOffset);
        for (long i = pe.textOffset; i < pe.textOffset + pe.textSize; i++) {
            if (in[(int) i] != out[(int) i]) {
                throw new AssertionError("code changed at " + i);
            }
        }
    }

    @Test
    void flippingOneCodeByteBreaksBothVerifiers(@TempDir Path dir) throws Exception {
        Path signed = dir.resolve("signed.efi");
        PeSigner.sign(systemdBoot, signed, TestKeys.material());
        byte[] bytes = Files.readAllBytes(signed);
        Pe pe = Pe.parse(bytes);
        int at = (int) (pe.textOffset + pe.textSize / 2);
        bytes[at] ^= 0x01;
        Path tampered = dir.resolve("tampered.efi");
        Files.write(tampered, bytes);

        Run sb = sbverify(TestKeys.certificatePem(), tampered);
        assertNotEquals(0, sb.exit(), sb.output());
        Run ossl = osslsigncode(TestKeys.certificatePem(), tampered);
        assertNotEquals(0, ossl.exit(), ossl.output());
        assertTrue(ossl.output().contains("MISMATCH"), ossl.output());
    }

    @Test
    void anotherCertificateDoesNotVerify(@TempDir Path dir) throws Exception {
        Path signed = dir.resolve("signed.efi");
        PeSigner.sign(systemdBoot, signed, TestKeys.other());
        Run sb = sbverify(TestKeys.certificatePem(), signed);
        assertNotEquals(0, sb.exit(), sb.output());
        Run ossl = osslsigncode(TestKeys.certificatePem(), signed);
        assertNotEquals(0, ossl.exit(), ossl.output());
    }

    @Test
    void signingIsDeterministic(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.efi");
        Path b = dir.resolve("b.efi");
        PeSigner.sign(systemdBoot, a, TestKeys.material());
        PeSigner.sign(systemdBoot, b, TestKeys.material());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        // what keeps it deterministic: no signingTime among the signed attributes, no timestamp (unsigned attributes)
        try (PEFile pe = new PEFile(a.toFile())) {
            List<CMSSignedData> signatures = pe.getSignatures();
            assertEquals(1, signatures.size());
            SignerInformation signer = signatures.get(0).getSignerInfos().getSigners().iterator().next();
            assertEquals(null, signer.getSignedAttributes().get(CMSAttributes.signingTime));
            assertEquals(null, signer.getUnsignedAttributes());
            assertEquals("2.16.840.1.101.3.4.2.1", signer.getDigestAlgOID(), "SHA-256");
            assertEquals("1.2.840.113549.1.1.1", signer.getEncryptionAlgOID(), "RSA PKCS#1 v1.5");
        }
        // osslsigncode 2.9 omits the line, 2.5 prints "Signing time: N/A"
        Run ossl = osslsigncode(TestKeys.certificatePem(), a);
        assertFalse(ossl.output().lines().anyMatch(l -> l.contains("Signing time: ") && !l.contains("N/A")),
                ossl.output());
    }

    @Test
    void resigningASignedImageReplacesTheSignature(@TempDir Path dir) throws Exception {
        Path once = dir.resolve("once.efi");
        Path twice = dir.resolve("twice.efi");
        PeSigner.sign(systemdBoot, once, TestKeys.other());
        PeSigner.sign(once, twice, TestKeys.material());
        Run sb = sbverify(TestKeys.certificatePem(), twice);
        assertEquals(0, sb.exit(), sb.output());
        Run list = run("sbverify", "--list", twice.toString());
        assertEquals(1, list.output().lines().filter(l -> l.startsWith("signature ")).count(), list.output());
    }

    @Test
    void notAPeImageFailsAndLeavesNoOutput(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("not-pe.bin");
        Files.write(input, new byte[4096]);
        Path output = dir.resolve("out.efi");
        assertThrows(IOException.class, () -> PeSigner.sign(input, output, TestKeys.material()));
        assertFalse(Files.exists(output));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(input), files.toList(), "no scratch file left behind");
        }
    }

    /**
     * The fast path (our certificate table and checksum after Jsign's SignedData) writes the bytes Jsign's own
     * {@code sign} writes, for images of every length modulo 8 (the table's padding) and both sizes of a stub and of a
     * multi-MB image with trailing data.
     */
    @Test
    void signedInPlaceItIsTheBytesJsignWrites(@TempDir Path dir) throws Exception {
        byte[] stub = Files.readAllBytes(systemdBoot);
        java.util.Random random = new java.util.Random(11);
        for (int extra : new int[] {0, 1, 3, 4, 7, 8 << 20 | 5}) {
            byte[] tail = new byte[extra];
            random.nextBytes(tail);
            byte[] image = java.util.Arrays.copyOf(stub, stub.length + extra);
            System.arraycopy(tail, 0, image, stub.length, extra);
            Path ours = Files.write(dir.resolve("ours-" + extra), image);
            Path jsigns = Files.write(dir.resolve("jsign-" + extra), image);
            PeSigner.signInPlace(ours, TestKeys.material());
            SigningMaterial material = TestKeys.material();
            try (PEFile pe = new PEFile(jsigns.toFile())) {
                new net.jsign.AuthenticodeSigner(new java.security.cert.Certificate[] {material.certificate()},
                        material.signingKey()).withDigestAlgorithm(net.jsign.DigestAlgorithm.SHA256)
                        .withSignatureAlgorithm("SHA256withRSA").withTimestamping(false).withSignaturesReplaced(true)
                        .sign(pe);
            }
            assertArrayEquals(Files.readAllBytes(jsigns), Files.readAllBytes(ours), "image + " + extra + " bytes");
        }
    }

    /** PeChecksum against ImageHlp's definition (16-bit words, end-around carry), on the edge cases too. */
    @Test
    void theChecksumIsImageHlpsOnRandomAllOnesAndZeroImages(@TempDir Path dir) throws Exception {
        java.util.Random random = new java.util.Random(5);
        byte[] randomImage = new byte[3 * (1 << 20) + 24];
        random.nextBytes(randomImage);
        byte[] ones = new byte[4096];
        java.util.Arrays.fill(ones, (byte) 0xff); // every word is 0xffff: a non-zero total congruent to 0
        for (byte[] image : List.of(randomImage, ones, new byte[4096])) {
            Path file = Files.write(dir.resolve("image"), image);
            try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file)) {
                assertEquals(imageHlp(image, 216), PeChecksum.compute(channel, 216));
            }
        }
    }

    private static long imageHlp(byte[] image, int checksumOffset) {
        long sum = 0;
        for (int i = 0; i < image.length; i += 2) {
            if (i == checksumOffset || i == checksumOffset + 2) {
                continue;
            }
            sum += (image[i] & 0xff) | (image[i + 1] & 0xff) << 8;
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return ((sum & 0xffff) + (sum >>> 16)) + image.length;
    }

    /** The few PE header fields the tests look at. */
    record Pe(long securityOffset, long securitySize, long textOffset, long textSize) {
        static Pe parse(byte[] bytes) {
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int pe = b.getInt(0x3C);
            assertEquals(0x00004550, b.getInt(pe), "PE signature");
            int sections = Short.toUnsignedInt(b.getShort(pe + 6));
            int optionalSize = Short.toUnsignedInt(b.getShort(pe + 20));
            int optional = pe + 24;
            assertEquals(0x20B, Short.toUnsignedInt(b.getShort(optional)), "PE32+");
            int dataDirectories = optional + 112;
            long securityOffset = Integer.toUnsignedLong(b.getInt(dataDirectories + 4 * 8));
            long securitySize = Integer.toUnsignedLong(b.getInt(dataDirectories + 4 * 8 + 4));
            int table = optional + optionalSize;
            for (int i = 0; i < sections; i++) {
                int h = table + 40 * i;
                String name = new String(bytes, h, 8, StandardCharsets.US_ASCII).replace("\0", "");
                if (name.equals(".text")) {
                    return new Pe(securityOffset, securitySize, Integer.toUnsignedLong(b.getInt(h + 20)),
                            Integer.toUnsignedLong(b.getInt(h + 16)));
                }
            }
            throw new AssertionError("no .text section");
        }
    }
}
