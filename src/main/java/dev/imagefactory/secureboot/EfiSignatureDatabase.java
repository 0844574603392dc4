package dev.imagefactory.secureboot;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The content of a signature database variable (PK, KEK, db): a sequence of {@code EFI_SIGNATURE_LIST}s (UEFI
 * 2.10 §32.4.1), each
 *
 * <pre>
 *   SignatureType       GUID (16, mixed-endian)
 *   SignatureListSize   LE32  header + all entries
 *   SignatureHeaderSize LE32  0
 *   SignatureSize       LE32  16 + data length, the same for every entry of the list
 *   entries             EFI_SIGNATURE_DATA: SignatureOwner GUID (16) ‖ data
 * </pre>
 *
 * <p>Entries are grouped as go-uefi's {@code SignatureDatabase.Append} does (spec §5.6): a new entry joins the first
 * existing list of the same type whose signature size equals its own, otherwise a new list is opened at the end.
 * Certificates of different lengths therefore each get a list of their own, in the order they were added.
 */
public final class EfiSignatureDatabase {

    private static final int LIST_HEADER = 16 + 4 + 4 + 4;
    private static final int OWNER = 16;

    private record Entry(EfiGuid owner, byte[] data) {
    }

    private static final class SignatureList {
        final EfiGuid type;
        final int signatureSize;
        final List<Entry> entries = new ArrayList<>();

        SignatureList(EfiGuid type, int signatureSize) {
            this.type = type;
            this.signatureSize = signatureSize;
        }

        int size() {
            return LIST_HEADER + entries.size() * signatureSize;
        }
    }

    private final List<SignatureList> lists = new ArrayList<>();

    /** Adds a DER X.509 certificate ({@link EfiGuid#CERT_X509}) owned by {@code owner}. */
    public EfiSignatureDatabase addX509(EfiGuid owner, byte[] der) {
        return add(EfiGuid.CERT_X509, owner, der);
    }

    /** Adds an entry of {@code type}, following go-uefi's grouping rule (class comment). */
    public EfiSignatureDatabase add(EfiGuid type, EfiGuid owner, byte[] data) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(owner, "owner");
        if (data == null || data.length == 0) {
            throw new IllegalArgumentException("empty signature data");
        }
        int signatureSize = OWNER + data.length;
        Entry entry = new Entry(owner, data.clone());
        for (SignatureList list : lists) {
            if (list.type.equals(type) && list.signatureSize == signatureSize) {
                list.entries.add(entry);
                return this;
            }
        }
        SignatureList list = new SignatureList(type, signatureSize);
        list.entries.add(entry);
        lists.add(list);
        return this;
    }

    /** Number of {@code EFI_SIGNATURE_LIST}s. */
    public int listCount() {
        return lists.size();
    }

    /** The serialized lists, as the variable's data (and as {@code cert-to-efi-sig-list} writes one list). */
    public byte[] toBytes() {
        int total = 0;
        for (SignatureList list : lists) {
            total += list.size();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(total);
        for (SignatureList list : lists) {
            ByteBuffer header = ByteBuffer.allocate(LIST_HEADER).order(ByteOrder.LITTLE_ENDIAN);
            header.put(list.type.toBytes());
            header.putInt(list.size());
            header.putInt(0);
            header.putInt(list.signatureSize);
            out.writeBytes(header.array());
            for (Entry entry : list.entries) {
                out.writeBytes(entry.owner().toBytes());
                out.writeBytes(entry.data());
            }
        }
        return out.toByteArray();
    }
}
