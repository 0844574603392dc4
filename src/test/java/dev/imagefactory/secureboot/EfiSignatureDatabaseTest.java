package dev.imagefactory.secureboot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** GUID byte order, the name-based owner GUID and go-uefi's list grouping rule. */
class EfiSignatureDatabaseTest {

    /** One parsed EFI_SIGNATURE_LIST (read back independently of the writer). */
    record ParsedList(EfiGuid type, int signatureSize, List<EfiGuid> owners, List<byte[]> data) {
    }

    static List<ParsedList> parse(byte[] bytes) {
        List<ParsedList> out = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        while (in.hasRemaining()) {
            int start = in.position();
            EfiGuid type = guid(in);
            int listSize = in.getInt();
            int headerSize = in.getInt();
            int signatureSize = in.getInt();
            assertEquals(0, headerSize);
            assertEquals(0, (listSize - 28) % signatureSize, "list size is header + n entries");
            in.position(in.position() + headerSize);
            List<EfiGuid> owners = new ArrayList<>();
            List<byte[]> data = new ArrayList<>();
            while (in.position() < start + listSize) {
                owners.add(guid(in));
                byte[] d = new byte[signatureSize - 16];
                in.get(d);
                data.add(d);
            }
            assertEquals(start + listSize, in.position());
            out.add(new ParsedList(type, signatureSize, owners, data));
        }
        return out;
    }

    /** Reads a mixed-endian GUID. */
    static EfiGuid guid(ByteBuffer in) {
        ByteBuffer le = in.slice(in.position(), 16).order(ByteOrder.LITTLE_ENDIAN);
        in.position(in.position() + 16);
        byte[] tail = new byte[8];
        le.position(8);
        le.get(tail);
        return EfiGuid.parse(String.format("%08x-%04x-%04x-%s-%s", le.getInt(0), le.getShort(4) & 0xffff,
                le.getShort(6) & 0xffff, HexFormat.of().formatHex(tail, 0, 2), HexFormat.of().formatHex(tail, 2, 8)));
    }

    @Test
    void guidsAreWrittenMixedEndian() {
        assertEquals("a159c0a5e494a74a87b5ab155c2bf072", HexFormat.of().formatHex(EfiGuid.CERT_X509.toBytes()));
        assertEquals("61dfe48bca93d211aa0d00e098032b8c",
                HexFormat.of().formatHex(EfiGuid.GLOBAL_VARIABLE.toBytes()));
        assertEquals("cbb219d73a3d9645a3bcdad00e67656f",
                HexFormat.of().formatHex(EfiGuid.IMAGE_SECURITY_DATABASE.toBytes()));
        assertEquals("9dd2af4adf68ee498aa9347d375665a7",
                HexFormat.of().formatHex(EfiGuid.CERT_TYPE_PKCS7.toBytes()));
        assertEquals("77fa9abd-0359-4d32-bd60-28f4e78f784b", EfiGuid.MICROSOFT_OWNER.toString());
        assertEquals(EfiGuid.MICROSOFT_OWNER, EfiGuid.parse("77FA9ABD-0359-4D32-BD60-28F4E78F784B"));
        assertEquals(EfiGuid.MICROSOFT_OWNER,
                guid(ByteBuffer.wrap(EfiGuid.MICROSOFT_OWNER.toBytes())));
        assertThrows(IllegalArgumentException.class, () -> EfiGuid.parse("77fa9abd03594d32bd6028f4e78f784b"));
        assertThrows(IllegalArgumentException.class, () -> EfiGuid.parse("77fa9abd-0359-4d32-bd60-28f4e78f784"));
    }

    @Test
    void nameBasedGuidIsSha256TruncatedWithVersion4() {
        // Python: b = sha256(uuid.NAMESPACE_X500.bytes + b"hello").digest()[:16]; version 4 and RFC 4122 variant
        assertEquals("18d174c8-ef19-462d-b8bd-e0b111d83799",
                EfiGuid.nameBasedSha256(EfiGuid.NAMESPACE_X500, "hello".getBytes()).toString());
    }

    @Test
    void entriesOfEqualSizeShareTheFirstMatchingList() {
        EfiGuid a = EfiGuid.parse("00000000-0000-0000-0000-00000000000a");
        EfiGuid b = EfiGuid.parse("00000000-0000-0000-0000-00000000000b");
        EfiGuid sha256Type = EfiGuid.parse("c1c41626-504c-4092-aca9-41f936934328");
        byte[] ten1 = filled(10, 1);
        byte[] twenty = filled(20, 2);
        byte[] ten2 = filled(10, 3);
        byte[] thirtyTwo = filled(32, 4);
        byte[] ten3 = filled(10, 5);
        EfiSignatureDatabase db = new EfiSignatureDatabase()
                .addX509(a, ten1)
                .addX509(b, twenty)
                .addX509(b, ten2) // joins the first list, not the last one
                .add(sha256Type, a, thirtyTwo)
                .add(sha256Type, b, ten3); // same size as list 1 but another type: a list of its own
        assertEquals(4, db.listCount());
        List<ParsedList> lists = parse(db.toBytes());
        assertEquals(4, lists.size());
        assertEquals(EfiGuid.CERT_X509, lists.get(0).type());
        assertEquals(26, lists.get(0).signatureSize());
        assertEquals(List.of(a, b), lists.get(0).owners());
        assertArrayEquals(ten1, lists.get(0).data().get(0));
        assertArrayEquals(ten2, lists.get(0).data().get(1));
        assertEquals(List.of(b), lists.get(1).owners());
        assertArrayEquals(twenty, lists.get(1).data().get(0));
        assertEquals(sha256Type, lists.get(2).type());
        assertArrayEquals(thirtyTwo, lists.get(2).data().get(0));
        assertEquals(sha256Type, lists.get(3).type());
        assertArrayEquals(ten3, lists.get(3).data().get(0));
        assertEquals(28 + 2 * 26 + 28 + 36 + 28 + 48 + 28 + 26, db.toBytes().length);
    }

    @Test
    void emptyDatabaseIsEmptyAndEmptyDataIsRefused() {
        assertEquals(0, new EfiSignatureDatabase().toBytes().length);
        assertThrows(IllegalArgumentException.class,
                () -> new EfiSignatureDatabase().addX509(EfiGuid.MICROSOFT_OWNER, new byte[0]));
    }

    private static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }
}
