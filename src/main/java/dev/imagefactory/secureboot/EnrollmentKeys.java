package dev.imagefactory.secureboot;

import dev.imagefactory.content.Reproducible;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * The SecureBoot auto-enrollment files of a SecureBoot ISO ({@code loader/keys/auto/PK.auth}, {@code KEK.auth},
 * {@code db.auth}, spec §5.3/§5.6) and the signing certificate for {@code EFI/keys/uki-signing-cert.der}.
 *
 * <p>Each variable holds the signing certificate C (owner GUID derived from C's PEM, {@link #owner()}); with
 * {@code includeWellKnown} KEK and db also get Microsoft's certificates ({@link WellKnownCertificates}, owner
 * {@link EfiGuid#MICROSOFT_OWNER}). All three are signed by C's key: PK self-signed, KEK and db by that PK.
 *
 * <p>Reproducible: the {@code EFI_TIME} is {@code SOURCE_DATE_EPOCH} (2019-06-01 21:34:52 UTC), where upstream
 * (go-uefi) stamps the current time, so that rebuilding an ISO gives the same bytes and cached assets stay
 * byte-identical. Firmware in setup mode accepts any timestamp for the first write of PK/KEK/db; a later
 * time-based update needs a newer timestamp than the stored one, which only matters for updates signed elsewhere
 * (their "now" is after 2019).
 */
public final class EnrollmentKeys {

    public static final String PK_FILE = "PK.auth";
    public static final String KEK_FILE = "KEK.auth";
    public static final String DB_FILE = "db.auth";

    /** The {@code EFI_TIME} of the three updates: SOURCE_DATE_EPOCH. */
    public static final Instant TIMESTAMP = Instant.ofEpochSecond(Reproducible.SOURCE_DATE_EPOCH);

    private final EfiGuid owner;
    private final byte[] certificateDer;
    private final byte[] pkList;
    private final byte[] kekList;
    private final byte[] dbList;
    private final byte[] pk;
    private final byte[] kek;
    private final byte[] db;

    private EnrollmentKeys(SigningMaterial material, boolean includeWellKnown, Instant timestamp) {
        certificateDer = material.certificateDer();
        owner = ownerOf(material);

        pkList = new EfiSignatureDatabase().addX509(owner, certificateDer).toBytes();

        EfiSignatureDatabase kekDb = new EfiSignatureDatabase().addX509(owner, certificateDer);
        EfiSignatureDatabase dbDb = new EfiSignatureDatabase().addX509(owner, certificateDer);
        if (includeWellKnown) {
            WellKnownCertificates.kek().forEach(der -> kekDb.addX509(EfiGuid.MICROSOFT_OWNER, der));
            WellKnownCertificates.db().forEach(der -> dbDb.addX509(EfiGuid.MICROSOFT_OWNER, der));
        }
        kekList = kekDb.toBytes();
        dbList = dbDb.toBytes();

        pk = AuthenticatedVariable.create("PK", EfiGuid.GLOBAL_VARIABLE, pkList, timestamp, material);
        kek = AuthenticatedVariable.create("KEK", EfiGuid.GLOBAL_VARIABLE, kekList, timestamp, material);
        db = AuthenticatedVariable.create("db", EfiGuid.IMAGE_SECURITY_DATABASE, dbList, timestamp, material);
    }

    /**
     * Builds PK/KEK/db for {@code material}'s signing certificate, stamped with {@link #TIMESTAMP}.
     *
     * @param includeWellKnown also enroll Microsoft's KEK and db certificates (upstream's
     *     {@code includeWellKnownCertificates})
     */
    public static EnrollmentKeys create(SigningMaterial material, boolean includeWellKnown) {
        return create(material, includeWellKnown, TIMESTAMP);
    }

    static EnrollmentKeys create(SigningMaterial material, boolean includeWellKnown, Instant timestamp) {
        Objects.requireNonNull(material, "material");
        Objects.requireNonNull(timestamp, "timestamp");
        return new EnrollmentKeys(material, includeWellKnown, timestamp);
    }

    /**
     * The signature owner of the factory's certificate: {@link EfiGuid#nameBasedSha256} of the certificate's PEM
     * (Go {@code pem.Encode} form) in the X.500 name space.
     */
    public static EfiGuid ownerOf(SigningMaterial material) {
        return EfiGuid.nameBasedSha256(EfiGuid.NAMESPACE_X500,
                material.certificatePem().getBytes(StandardCharsets.US_ASCII));
    }

    public EfiGuid owner() {
        return owner;
    }

    /** {@code PK.auth}. */
    public byte[] pk() {
        return pk.clone();
    }

    /** {@code KEK.auth}. */
    public byte[] kek() {
        return kek.clone();
    }

    /** {@code db.auth}. */
    public byte[] db() {
        return db.clone();
    }

    /** DER of the signing certificate, for {@code EFI/keys/uki-signing-cert.der}. */
    public byte[] signingCertDer() {
        return certificateDer.clone();
    }

    /** Writes {@code PK.auth}, {@code KEK.auth} and {@code db.auth} into {@code dir} (created if missing). */
    public void writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve(PK_FILE), pk);
        Files.write(dir.resolve(KEK_FILE), kek);
        Files.write(dir.resolve(DB_FILE), db);
    }

    byte[] pkList() {
        return pkList.clone();
    }

    byte[] kekList() {
        return kekList.clone();
    }

    byte[] dbList() {
        return dbList.clone();
    }
}
