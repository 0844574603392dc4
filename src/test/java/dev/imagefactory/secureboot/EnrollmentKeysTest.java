package dev.imagefactory.secureboot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.secureboot.EfiSignatureDatabaseTest.ParsedList;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.IssuerAndSerialNumber;
import org.bouncycastle.asn1.cms.SignedData;
import org.bouncycastle.asn1.cms.SignerInfo;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PK/KEK/db {@code .auth} files: byte-compared with efitools ({@code cert-to-efi-sig-list}, {@code sign-efi-sig-list},
 * {@code sig-list-to-certs}), signatures verified independently with BouncyCastle's CMS verifier and
 * {@code openssl cms -verify}.
 */
class EnrollmentKeysTest {

    /** SOURCE_DATE_EPOCH as sign-efi-sig-list's {@code -t} wants it (run with TZ=UTC). */
    static final String EFITOOLS_TIME = "2019-06-01 21:34:52";

    record Run(int exit, String output) {
    }

    static Run run(String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("TZ", "UTC");
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " hung");
        return new Run(process.exitValue(), output);
    }

    static void ok(String... command) throws Exception {
        Run r = run(command);
        assertEquals(0, r.exit(), String.join(" ", command) + ": " + r.output());
    }

    /** cert-to-efi-sig-list's ESL of {@code der} (one list, one entry). */
    static byte[] efitoolsEsl(Path dir, String name, EfiGuid owner, byte[] der) throws Exception {
        Path pem = dir.resolve(name + ".pem");
        Files.writeString(pem, Pem.encode("CERTIFICATE", der));
        Path esl = dir.resolve(name + ".esl");
        ok("cert-to-efi-sig-list", "-g", owner.toString(), pem.toString(), esl.toString());
        return Files.readAllBytes(esl);
    }

    /** sign-efi-sig-list's .auth for {@code esl} signed by the test keys at SOURCE_DATE_EPOCH. */
    static byte[] efitoolsAuth(Path dir, String var, byte[] esl) throws Exception {
        Path in = dir.resolve(var + "-in.esl");
        Files.write(in, esl);
        Path out = dir.resolve(var + ".auth");
        ok("sign-efi-sig-list", "-t", EFITOOLS_TIME,
                "-k", TestKeys.dir().resolve(DevelopmentKeys.SIGNING_KEY).toString(),
                "-c", TestKeys.certificatePem().toString(), var, in.toString(), out.toString());
        return Files.readAllBytes(out);
    }

    static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }

    @Test
    void pkKekAndDbAreByteIdenticalToEfitools(@TempDir Path dir) throws Exception {
        SigningMaterial material = TestKeys.material();
        EnrollmentKeys keys = EnrollmentKeys.create(material, true);
        byte[] cert = material.certificateDer();

        byte[] ours = efitoolsEsl(dir, "ours", keys.owner(), cert);
        assertArrayEquals(ours, keys.pkList(), "PK ESL vs cert-to-efi-sig-list");

        // with the well-known certificates every certificate has a size of its own here, so each is a list of its
        // own and the variable is the concatenation of cert-to-efi-sig-list's single-entry lists
        List<byte[]> kek = new ArrayList<>(List.of(ours));
        List<byte[]> kekDer = WellKnownCertificates.kek();
        for (int i = 0; i < kekDer.size(); i++) {
            assertNotEquals(cert.length, kekDer.get(i).length, "test precondition");
            kek.add(efitoolsEsl(dir, "kek" + i, EfiGuid.MICROSOFT_OWNER, kekDer.get(i)));
        }
        assertArrayEquals(concat(kek), keys.kekList(), "KEK ESL vs cert-to-efi-sig-list");
        List<byte[]> db = new ArrayList<>(List.of(ours));
        List<byte[]> dbDer = WellKnownCertificates.db();
        for (int i = 0; i < dbDer.size(); i++) {
            assertNotEquals(cert.length, dbDer.get(i).length, "test precondition");
            db.add(efitoolsEsl(dir, "db" + i, EfiGuid.MICROSOFT_OWNER, dbDer.get(i)));
        }
        assertArrayEquals(concat(db), keys.dbList(), "db ESL vs cert-to-efi-sig-list");

        assertArrayEquals(efitoolsAuth(dir, "PK", keys.pkList()), keys.pk(), "PK.auth vs sign-efi-sig-list");
        assertArrayEquals(efitoolsAuth(dir, "KEK", keys.kekList()), keys.kek(), "KEK.auth vs sign-efi-sig-list");
        assertArrayEquals(efitoolsAuth(dir, "db", keys.dbList()), keys.db(), "db.auth vs sign-efi-sig-list");
    }

    @Test
    void withoutWellKnownEachVariableHoldsOnlyTheSigningCertificate(@TempDir Path dir) throws Exception {
        EnrollmentKeys keys = EnrollmentKeys.create(TestKeys.material(), false);
        byte[] esl = efitoolsEsl(dir, "ours", keys.owner(), TestKeys.material().certificateDer());
        assertArrayEquals(esl, keys.pkList());
        assertArrayEquals(esl, keys.kekList());
        assertArrayEquals(esl, keys.dbList());
        assertArrayEquals(efitoolsAuth(dir, "KEK", esl), keys.kek());
        assertArrayEquals(efitoolsAuth(dir, "db", esl), keys.db());
    }

    @Test
    void ownerGuidIsDerivedFromTheCertificatePem() {
        SigningMaterial material = TestKeys.material();
        EnrollmentKeys keys = EnrollmentKeys.create(material, false);
        EfiGuid expected = EfiGuid.nameBasedSha256(EfiGuid.NAMESPACE_X500,
                material.certificatePem().getBytes(StandardCharsets.US_ASCII));
        assertEquals(expected, keys.owner());
        assertEquals(expected, EnrollmentKeys.ownerOf(material));
        assertEquals('4', keys.owner().toString().charAt(14), "version nibble");
        assertTrue("89ab".indexOf(keys.owner().toString().charAt(19)) >= 0, "RFC 4122 variant");
        assertNotEquals(keys.owner(), EnrollmentKeys.ownerOf(TestKeys.other()));
        List<ParsedList> lists = EfiSignatureDatabaseTest.parse(keys.pkList());
        assertEquals(1, lists.size());
        assertEquals(List.of(expected), lists.get(0).owners());
        assertArrayEquals(material.certificateDer(), lists.get(0).data().get(0));
    }

    @Test
    void wellKnownCertificatesFollowInSpecOrderUnderMicrosoftsOwner(@TempDir Path dir) throws Exception {
        SigningMaterial material = TestKeys.material();
        EnrollmentKeys keys = EnrollmentKeys.create(material, true);

        List<ParsedList> kek = EfiSignatureDatabaseTest.parse(keys.kekList());
        checkLists(kek, material, keys.owner(), WellKnownCertificates.kek());
        List<ParsedList> db = EfiSignatureDatabaseTest.parse(keys.dbList());
        checkLists(db, material, keys.owner(), WellKnownCertificates.db());

        // efitools reads them back in the same order
        checkWithSigListToCerts(dir, "kek", keys.kekList(), material, WellKnownCertificates.kek());
        checkWithSigListToCerts(dir, "db", keys.dbList(), material, WellKnownCertificates.db());

        // PK never gets them
        assertArrayEquals(EnrollmentKeys.create(material, false).pk(), keys.pk());
    }

    private static void checkLists(List<ParsedList> lists, SigningMaterial material, EfiGuid owner,
            List<byte[]> wellKnown) {
        assertEquals(1 + wellKnown.size(), lists.size(), "every certificate size differs: one list each");
        for (ParsedList list : lists) {
            assertEquals(EfiGuid.CERT_X509, list.type());
            assertEquals(1, list.owners().size());
        }
        assertEquals(owner, lists.get(0).owners().get(0));
        assertArrayEquals(material.certificateDer(), lists.get(0).data().get(0));
        for (int i = 0; i < wellKnown.size(); i++) {
            assertEquals(EfiGuid.MICROSOFT_OWNER, lists.get(i + 1).owners().get(0));
            assertArrayEquals(wellKnown.get(i), lists.get(i + 1).data().get(0));
        }
    }

    private static void checkWithSigListToCerts(Path dir, String name, byte[] esl, SigningMaterial material,
            List<byte[]> wellKnown) throws Exception {
        Path file = dir.resolve(name + ".esl");
        Files.write(file, esl);
        Path out = Files.createDirectories(dir.resolve(name + "-certs"));
        Run r = run("sig-list-to-certs", file.toString(), out.resolve("c").toString());
        assertEquals(0, r.exit(), r.output());
        List<byte[]> expected = new ArrayList<>();
        expected.add(material.certificateDer());
        expected.addAll(wellKnown);
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), Files.readAllBytes(out.resolve("c-" + i + ".der")), name + " " + i);
        }
        assertFalse(Files.exists(out.resolve("c-" + expected.size() + ".der")));
    }

    /** The parts of an .auth file. */
    record Auth(byte[] time, byte[] signature, byte[] esl) {
    }

    static Auth split(byte[] auth) {
        ByteBuffer in = ByteBuffer.wrap(auth).order(ByteOrder.LITTLE_ENDIAN);
        byte[] time = new byte[16];
        in.get(time);
        int length = in.getInt();
        assertEquals(0x0200, in.getShort() & 0xffff, "wRevision");
        assertEquals(0x0EF1, in.getShort() & 0xffff, "wCertificateType");
        byte[] type = new byte[16];
        in.get(type);
        assertArrayEquals(EfiGuid.CERT_TYPE_PKCS7.toBytes(), type, "CertType");
        byte[] signature = new byte[length - 24];
        in.get(signature);
        byte[] esl = new byte[in.remaining()];
        in.get(esl);
        return new Auth(time, signature, esl);
    }

    static boolean verifies(byte[] signature, byte[] blob, SigningMaterial signer) throws Exception {
        SignedData signedData = SignedData.getInstance(signature);
        CMSSignedData cms = new CMSSignedData(new CMSProcessableByteArray(blob),
                new ContentInfo(CMSObjectIdentifiers.signedData, signedData));
        SignerInformation si = cms.getSignerInfos().getSigners().iterator().next();
        try {
            return si.verify(new JcaSimpleSignerInfoVerifierBuilder().build(signer.certificate()));
        } catch (CMSException e) {
            return false;
        }
    }

    @Test
    void signaturesVerifyOverTheReconstructedSignedBlob(@TempDir Path dir) throws Exception {
        SigningMaterial material = TestKeys.material();
        EnrollmentKeys keys = EnrollmentKeys.create(material, true);
        record Var(String name, EfiGuid vendor, byte[] auth, byte[] esl) {
        }
        for (Var v : List.of(new Var("PK", EfiGuid.GLOBAL_VARIABLE, keys.pk(), keys.pkList()),
                new Var("KEK", EfiGuid.GLOBAL_VARIABLE, keys.kek(), keys.kekList()),
                new Var("db", EfiGuid.IMAGE_SECURITY_DATABASE, keys.db(), keys.dbList()))) {
            Auth auth = split(v.auth());
            assertArrayEquals(v.esl(), auth.esl(), v.name());
            assertEquals("e3070601152234000000000000000000", HexFormat.of().formatHex(auth.time()),
                    "EFI_TIME 2019-06-01 21:34:52, zero nanoseconds/time zone/daylight");

            // the blob rebuilt here by hand, not with AuthenticatedVariable.signedBlob
            ByteArrayOutputStream blob = new ByteArrayOutputStream();
            blob.writeBytes(v.name().getBytes(StandardCharsets.UTF_16LE));
            blob.writeBytes(v.vendor().toBytes());
            blob.writeBytes(new byte[] {0x27, 0, 0, 0});
            blob.writeBytes(auth.time());
            blob.writeBytes(auth.esl());
            byte[] signed = blob.toByteArray();
            assertArrayEquals(AuthenticatedVariable.signedBlob(v.name(), v.vendor(), 0x27, auth.time(), auth.esl()),
                    signed);

            assertTrue(verifies(auth.signature(), signed, material), v.name());
            byte[] tampered = signed.clone();
            tampered[tampered.length - 1] ^= 1;
            assertFalse(verifies(auth.signature(), tampered, material), v.name() + " tampered");
            assertFalse(verifies(auth.signature(), signed, TestKeys.other()), v.name() + " other key");
            byte[] otherVendor = AuthenticatedVariable.signedBlob(v.name(),
                    v.vendor().equals(EfiGuid.GLOBAL_VARIABLE) ? EfiGuid.IMAGE_SECURITY_DATABASE
                            : EfiGuid.GLOBAL_VARIABLE, 0x27, auth.time(), auth.esl());
            assertFalse(verifies(auth.signature(), otherVendor, material), v.name() + " other vendor GUID");

            // structure: efitools' PKCS7_NOATTR SignedData
            SignedData sd = SignedData.getInstance(auth.signature());
            assertEquals(1, sd.getVersion().intValueExact());
            assertEquals(CMSObjectIdentifiers.data, sd.getEncapContentInfo().getContentType());
            assertNull(sd.getEncapContentInfo().getContent(), "detached");
            assertEquals(1, sd.getCertificates().size());
            assertArrayEquals(material.certificateDer(), sd.getCertificates().getObjectAt(0).toASN1Primitive()
                    .getEncoded(ASN1Encoding.DER));
            assertNull(sd.getCRLs());
            assertEquals(1, sd.getSignerInfos().size());
            SignerInfo si = SignerInfo.getInstance(sd.getSignerInfos().getObjectAt(0));
            assertNull(si.getAuthenticatedAttributes(), "no signed attributes");
            assertNull(si.getUnauthenticatedAttributes());
            assertEquals(NISTObjectIdentifiers.id_sha256, si.getDigestAlgorithm().getAlgorithm());
            assertEquals(DERNull.INSTANCE, si.getDigestAlgorithm().getParameters());
            assertEquals(PKCSObjectIdentifiers.rsaEncryption, si.getDigestEncryptionAlgorithm().getAlgorithm());
            X509CertificateHolder holder = new X509CertificateHolder(material.certificateDer());
            IssuerAndSerialNumber sid = IssuerAndSerialNumber.getInstance(si.getSID().getId());
            assertEquals(holder.getSerialNumber(), sid.getSerialNumber().getValue());
            assertEquals(holder.getIssuer(), sid.getName());
            // the file holds SignedData itself: no ContentInfo around it
            assertEquals("3082", HexFormat.of().formatHex(auth.signature(), 0, 2));
            assertEquals("020101", HexFormat.of().formatHex(auth.signature(), 4, 7),
                    "SEQUENCE { INTEGER 1 (SignedData version), ... }");

            // and OpenSSL agrees (signature only: the development certificate is no CA)
            Path p7 = dir.resolve(v.name() + ".p7");
            Files.write(p7, new ContentInfo(CMSObjectIdentifiers.signedData, sd).getEncoded(ASN1Encoding.DER));
            Path content = dir.resolve(v.name() + ".blob");
            Files.write(content, signed);
            Run openssl = run("openssl", "cms", "-verify", "-inform", "DER", "-in", p7.toString(), "-binary",
                    "-content", content.toString(), "-noverify", "-out", "/dev/null");
            assertEquals(0, openssl.exit(), openssl.output());
            assertTrue(openssl.output().contains("Verification successful"), openssl.output());
            Files.write(content, tampered);
            assertNotEquals(0, run("openssl", "cms", "-verify", "-inform", "DER", "-in", p7.toString(), "-binary",
                    "-content", content.toString(), "-noverify", "-out", "/dev/null").exit(), "openssl, tampered");
        }
    }

    @Test
    void outputIsDeterministicAndStampedWithSourceDateEpoch(@TempDir Path dir) throws Exception {
        SigningMaterial material = TestKeys.material();
        EnrollmentKeys a = EnrollmentKeys.create(material, true);
        EnrollmentKeys b = EnrollmentKeys.create(material, true);
        assertArrayEquals(a.pk(), b.pk());
        assertArrayEquals(a.kek(), b.kek());
        assertArrayEquals(a.db(), b.db());
        assertEquals(Instant.parse("2019-06-01T21:34:52Z"), EnrollmentKeys.TIMESTAMP);
        assertArrayEquals(HexFormat.of().parseHex("e307060115223400" + "0000000000000000"),
                Arrays.copyOf(a.pk(), 16));

        EnrollmentKeys later = EnrollmentKeys.create(material, true, Instant.parse("2024-02-29T23:59:59Z"));
        assertArrayEquals(HexFormat.of().parseHex("e807021d173b3b00" + "0000000000000000"),
                Arrays.copyOf(later.pk(), 16));
        assertFalse(Arrays.equals(a.pk(), later.pk()));
        assertArrayEquals(a.pkList(), later.pkList());

        assertArrayEquals(material.certificateDer(), a.signingCertDer());

        a.writeTo(dir.resolve("loader/keys/auto"));
        assertArrayEquals(a.pk(), Files.readAllBytes(dir.resolve("loader/keys/auto/PK.auth")));
        assertArrayEquals(a.kek(), Files.readAllBytes(dir.resolve("loader/keys/auto/KEK.auth")));
        assertArrayEquals(a.db(), Files.readAllBytes(dir.resolve("loader/keys/auto/db.auth")));
        try (var files = Files.list(dir.resolve("loader/keys/auto"))) {
            assertEquals(3, files.count());
        }
    }

    @Test
    void signingKeyDoesNotLeakIntoTheFiles() throws Exception {
        EnrollmentKeys keys = EnrollmentKeys.create(TestKeys.material(), true);
        KeyLeaks leaks = KeyLeaks.of(TestKeys.dir().resolve(DevelopmentKeys.SIGNING_KEY));
        leaks.assertAbsentFrom(keys.pk(), "PK.auth");
        leaks.assertAbsentFrom(keys.kek(), "KEK.auth");
        leaks.assertAbsentFrom(keys.db(), "db.auth");
    }
}
