package dev.imagefactory.secureboot;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.IssuerAndSerialNumber;
import org.bouncycastle.asn1.cms.SignedData;
import org.bouncycastle.asn1.cms.SignerIdentifier;
import org.bouncycastle.asn1.cms.SignerInfo;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Certificate;

/**
 * A time-based authenticated variable update ({@code EFI_VARIABLE_AUTHENTICATION_2}, UEFI 2.10 §8.2.2) as written
 * to a {@code .auth} file for systemd-boot's {@code loader/keys/auto} enrollment (spec §5.6):
 *
 * <pre>
 *   EFI_TIME (16)
 *   WIN_CERTIFICATE_UEFI_GUID: dwLength LE32 (24 + signature), wRevision LE16 0x0200,
 *                              wCertificateType LE16 0x0EF1, CertType EFI_CERT_TYPE_PKCS7_GUID
 *   signature: DER PKCS#7 SignedData (no ContentInfo wrapper)
 *   variable data (the EFI_SIGNATURE_LISTs)
 * </pre>
 *
 * The signature covers {@code UTF-16LE(name, no terminator) ‖ vendor GUID ‖ attributes LE32 ‖ EFI_TIME ‖ data}.
 *
 * <p>The SignedData has the structure efitools' {@code sign-efi-sig-list} writes (OpenSSL {@code PKCS7_sign} with
 * {@code PKCS7_BINARY | PKCS7_DETACHED | PKCS7_NOATTR}, the ContentInfo stripped): version 1, digest SHA-256 (with
 * NULL parameters), detached {@code data} content, the signer certificate, one SignerInfo identified by issuer and
 * serial number, <em>no</em> authenticated attributes, {@code rsaEncryption} over the PKCS#1 v1.5 SHA-256 digest of
 * the signed blob itself. RSA PKCS#1 v1.5 has no randomness and there is no signing time, so equal inputs give equal
 * bytes; with the same key, certificate and timestamp the output is byte-identical to sign-efi-sig-list's.
 *
 * <p>Upstream (go-uefi) adds contentType and messageDigest authenticated attributes; firmware (edk2's
 * {@code Pkcs7Verify}) accepts either form.
 */
final class AuthenticatedVariable {

    /** NON_VOLATILE | BOOTSERVICE_ACCESS | RUNTIME_ACCESS | TIME_BASED_AUTHENTICATED_WRITE_ACCESS. */
    static final int ATTRIBUTES = 0x01 | 0x02 | 0x04 | 0x20;

    private static final short WIN_CERT_REVISION = 0x0200;
    private static final short WIN_CERT_TYPE_EFI_GUID = 0x0EF1;
    private static final int WIN_CERTIFICATE_UEFI_GUID_HEADER = 4 + 2 + 2 + 16;

    private AuthenticatedVariable() {
    }

    /** The {@code .auth} file content: {@code name}/{@code vendor} set to {@code data}, signed by {@code material}. */
    static byte[] create(String name, EfiGuid vendor, byte[] data, Instant timestamp, SigningMaterial material) {
        byte[] time = efiTime(timestamp);
        byte[] signature = sign(signedBlob(name, vendor, ATTRIBUTES, time, data), material);
        ByteBuffer out = ByteBuffer.allocate(time.length + WIN_CERTIFICATE_UEFI_GUID_HEADER + signature.length
                + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(time);
        out.putInt(WIN_CERTIFICATE_UEFI_GUID_HEADER + signature.length);
        out.putShort(WIN_CERT_REVISION);
        out.putShort(WIN_CERT_TYPE_EFI_GUID);
        out.put(EfiGuid.CERT_TYPE_PKCS7.toBytes());
        out.put(signature);
        out.put(data);
        return out.array();
    }

    /** What the PKCS#7 signature covers (UEFI 2.10 §8.2.2, step 2). */
    static byte[] signedBlob(String name, EfiGuid vendor, int attributes, byte[] efiTime, byte[] data) {
        Objects.requireNonNull(name, "name");
        if (efiTime.length != 16) {
            throw new IllegalArgumentException("EFI_TIME is 16 bytes");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(name.getBytes(StandardCharsets.UTF_16LE));
        out.writeBytes(vendor.toBytes());
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(attributes).array());
        out.writeBytes(efiTime);
        out.writeBytes(data);
        return out.toByteArray();
    }

    /**
     * {@code EFI_TIME} of {@code timestamp} in UTC: Year LE16, Month, Day, Hour, Minute, Second, Pad1, Nanosecond
     * LE32, TimeZone LE16, Daylight, Pad2. Nanosecond, TimeZone and Daylight are 0, as sign-efi-sig-list and go-uefi
     * write them (the UEFI spec requires the nanosecond, time zone and daylight fields to be zero for time-based
     * authenticated writes).
     */
    static byte[] efiTime(Instant timestamp) {
        ZonedDateTime t = timestamp.atZone(ZoneOffset.UTC);
        if (t.getYear() < 1900 || t.getYear() > 9999) {
            throw new IllegalArgumentException("EFI_TIME years are 1900-9999: " + timestamp);
        }
        ByteBuffer out = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        out.putShort((short) t.getYear());
        out.put((byte) t.getMonthValue());
        out.put((byte) t.getDayOfMonth());
        out.put((byte) t.getHour());
        out.put((byte) t.getMinute());
        out.put((byte) t.getSecond());
        out.put((byte) 0); // Pad1
        out.putInt(0); // Nanosecond
        out.putShort((short) 0); // TimeZone
        out.put((byte) 0); // Daylight
        out.put((byte) 0); // Pad2
        return out.array();
    }

    /** DER PKCS#7 SignedData over {@code blob} (detached, no authenticated attributes), without ContentInfo. */
    static byte[] sign(byte[] blob, SigningMaterial material) {
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(material.signingKey());
            rsa.update(blob);
            byte[] signature = rsa.sign();

            Certificate cert = Certificate.getInstance(material.certificateDer());
            AlgorithmIdentifier sha256 = new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256, DERNull.INSTANCE);
            AlgorithmIdentifier rsaEncryption =
                    new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE);
            BigInteger serial = cert.getSerialNumber().getValue();
            SignerInfo signerInfo = new SignerInfo(
                    new SignerIdentifier(new IssuerAndSerialNumber(cert.getIssuer(), serial)),
                    sha256, (ASN1Set) null, rsaEncryption, new DEROctetString(signature), (ASN1Set) null);
            SignedData signedData = new SignedData(
                    new DERSet(sha256),
                    new ContentInfo(CMSObjectIdentifiers.data, null),
                    new DERSet(cert),
                    null,
                    new DERSet(signerInfo));
            // DL (definite length) keeps the certificate's and issuer's own encodings byte for byte
            return signedData.getEncoded(ASN1Encoding.DL);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot sign the authenticated variable", e);
        }
    }
}
