package dev.imagefactory.secureboot;

import dev.imagefactory.content.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.Certificate;
import net.jsign.AuthenticodeSigner;
import net.jsign.DigestAlgorithm;
import net.jsign.pe.PEFile;

/**
 * Authenticode-signs EFI PE images (systemd-boot, UKIs) as upstream's {@code pesign} does (spec §4.5): SHA-256
 * image hash, PKCS#7 SignedData over {@code SpcIndirectDataContent}, RSA PKCS#1 v1.5, the signer certificate
 * embedded, appended as a {@code WIN_CERTIFICATE} (8-byte aligned) with the Security data directory pointing at it.
 *
 * <p>Deterministic: RSA PKCS#1 v1.5 has no randomness, no timestamp is requested, and Jsign leaves the
 * {@code signingTime} attribute out of Authenticode signatures; the signed attributes are contentType,
 * SpcStatementType (individual) and messageDigest. Signing the same input with the same keys gives the same bytes.
 *
 * <p>Streaming: the input is copied to a scratch file next to the output, hashed and extended in place by Jsign
 * (which reads through a file channel), then renamed over the output; the image is never held in memory.
 */
public final class PeSigner {

    private PeSigner() {
    }

    /**
     * Writes {@code input} signed to {@code output} (replaced if present). A signature the input already carries is
     * dropped, so the factory's is the only one (UEFI firmware checks {@code WIN_CERTIFICATE} entries, not nested
     * signatures).
     *
     * @throws IOException the input is not a PE image, or reading/writing failed
     */
    public static void sign(Path input, Path output, SigningMaterial material) throws IOException {
        AtomicFiles.writeFile(output, scratch -> {
            Files.copy(input, scratch, StandardCopyOption.REPLACE_EXISTING);
            signInPlace(scratch, material);
        });
    }

    /**
     * Signs {@code file} where it is, as {@link #sign} signs its copy: for a file the caller has just written and owns
     * (a fresh UKI of ~250 MB need not be copied first). On failure the file is left half-signed: discard it.
     */
    public static void signInPlace(Path file, SigningMaterial material) throws IOException {
        AuthenticodeSigner signer = new AuthenticodeSigner(new Certificate[] {material.certificate()},
                material.signingKey())
                .withDigestAlgorithm(DigestAlgorithm.SHA256)
                .withSignatureAlgorithm("SHA256withRSA")
                .withTimestamping(false)
                .withSignaturesReplaced(true);
        try (PEFile pe = openPe(file)) {
            signer.sign(pe);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            // Jsign declares Exception; its messages concern the file, the certificate or the algorithm
            throw new IOException("Authenticode signing failed: " + e.getMessage(), e);
        }
    }

    private static PEFile openPe(Path file) throws IOException {
        try {
            return new PEFile(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IOException("not a PE image: " + e.getMessage(), e);
        }
    }
}
