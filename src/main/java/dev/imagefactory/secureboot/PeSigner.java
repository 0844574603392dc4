package dev.imagefactory.secureboot;

import dev.imagefactory.content.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.cert.Certificate;
import java.util.Optional;
import net.jsign.AuthenticodeSigner;
import net.jsign.DigestAlgorithm;
import net.jsign.pe.PEFile;
import org.bouncycastle.cms.CMSSignedData;

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
        signInPlace(file, material, null);
    }

    /**
     * {@link #signInPlace(Path, SigningMaterial)} for an image whose Authenticode digest (SHA-256) the caller took
     * while writing it ({@code imageDigest}; null: read the image for it).
     */
    public static void signInPlace(Path file, SigningMaterial material, byte[] imageDigest) throws IOException {
        Signer signer = new Signer(material);
        try (PEFile pe = imageDigest == null ? openPe(file) : openPe(file, imageDigest)) {
            Optional<PeLayout> layout = PeLayout.unsignedOf(file);
            if (layout.isEmpty()) {
                if (imageDigest != null) {
                    throw new IOException(file + " is signed already: the image digest given leaves its table in");
                }
                signer.sign(pe); // a signature to replace: Jsign rewrites its table
                return;
            }
            pe.validate(material.certificate());
            appendCertificateTable(file, layout.get(), winCertificate(signer.signedData(pe)));
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            // Jsign declares Exception; its messages concern the file, the certificate or the algorithm
            throw new IOException("Authenticode signing failed: " + e.getMessage(), e);
        }
    }

    /**
     * What Jsign's {@code PEFile} does with a first signature, with the checksum taken a long at a time rather than a
     * byte at a time ({@link PeChecksum}): the table (one {@code WIN_CERTIFICATE}) after the image, padded to 8 bytes,
     * the Security data directory pointing at it, then the CheckSum. {@code PeSignerTest} checks the bytes are Jsign's.
     */
    private static void appendCertificateTable(Path file, PeLayout layout, byte[] table) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = channel.size();
            long offset = size + (8 - size % 8) % 8;
            if (offset != size) {
                writeFully(channel, ByteBuffer.allocate((int) (offset - size)), size);
            }
            writeFully(channel, ByteBuffer.wrap(table), offset);
            ByteBuffer directory = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(0, (int) offset).putInt(4, table.length);
            writeFully(channel, directory, layout.securityDirectoryOffset());
            PeChecksum.update(channel, layout.checksumOffset());
        }
    }

    /**
     * A {@code WIN_CERTIFICATE} holding the SignedData, as Jsign writes it: dwLength (the whole entry), wRevision
     * 0x0200, wCertificateType 2 (PKCS#7 SignedData), the DER zero-padded to a multiple of 8 bytes.
     */
    static byte[] winCertificate(CMSSignedData signed) throws IOException {
        byte[] der = signed.toASN1Structure().getEncoded("DER");
        int padded = (der.length + 7) / 8 * 8;
        ByteBuffer entry = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        entry.putInt(8 + padded).putShort((short) 0x0200).putShort((short) 2).put(der);
        return entry.array();
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer, position + buffer.position());
        }
    }

    /** Where the CheckSum field and the Security data directory of a PE image are; empty when it is signed. */
    record PeLayout(long checksumOffset, long securityDirectoryOffset) {

        private static final int PE32 = 0x10b;
        private static final int PE32_PLUS = 0x20b;
        private static final int SECURITY_DIRECTORY = 4;

        static Optional<PeLayout> unsignedOf(Path file) throws IOException {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                long pe = read(channel, 0x3c, 4).getInt() & 0xffffffffL;
                long optional = pe + 24;
                int magic = read(channel, optional, 2).getShort() & 0xffff;
                if (magic != PE32 && magic != PE32_PLUS) {
                    throw new IOException("not a PE image: optional header magic 0x" + Integer.toHexString(magic));
                }
                long directories = optional + (magic == PE32_PLUS ? 112 : 96);
                long count = read(channel, directories - 4, 4).getInt() & 0xffffffffL;
                long security = directories + 8L * SECURITY_DIRECTORY;
                ByteBuffer entry = read(channel, security, 8);
                boolean signed = count <= SECURITY_DIRECTORY || entry.getInt(0) != 0 || entry.getInt(4) != 0;
                return signed ? Optional.empty() : Optional.of(new PeLayout(pe + 88, security));
            }
        }

        private static ByteBuffer read(FileChannel channel, long position, int length) throws IOException {
            ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, position + buffer.position()) < 0) {
                    throw new IOException("not a PE image: it ends before offset " + (position + length));
                }
            }
            return buffer.flip();
        }
    }

    /** Jsign's signer, with the SignedData it makes for an image available on its own. */
    private static final class Signer extends AuthenticodeSigner {

        Signer(SigningMaterial material) {
            super(new Certificate[] {material.certificate()}, material.signingKey());
            withDigestAlgorithm(DigestAlgorithm.SHA256);
            withSignatureAlgorithm("SHA256withRSA");
            withTimestamping(false);
            withSignaturesReplaced(true);
        }

        CMSSignedData signedData(PEFile pe) throws Exception {
            return createSignedData(pe);
        }
    }

    /** The image as Jsign reads it, with its SHA-256 image digest already known. */
    private static PEFile openPe(Path file, byte[] imageDigest) throws IOException {
        try {
            return new PEFile(file.toFile()) {
                @Override
                public synchronized byte[] computeDigest(DigestAlgorithm algorithm) throws IOException {
                    return algorithm == DigestAlgorithm.SHA256 ? imageDigest.clone() : super.computeDigest(algorithm);
                }
            };
        } catch (IOException | RuntimeException e) {
            throw new IOException("not a PE image: " + e.getMessage(), e);
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
