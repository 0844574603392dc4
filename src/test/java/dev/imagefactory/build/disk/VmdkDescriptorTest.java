package dev.imagefactory.build.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * qemu-img writes the VMDK content id with {@code %x}: one time in sixteen it is shorter than 8 digits (a CI run met
 * a 7-digit one). Whatever length was drawn, the pinned descriptor is the same.
 */
class VmdkDescriptorTest {

    private static final Path NAME = Path.of("disk.vmdk");

    private static byte[] descriptor(String cid, int size) {
        String text = "# Disk DescriptorFile\nversion=1\nCID=" + cid + "\nparentCID=ffffffff\ncreateType=\"streamOptimized\"\n"
                + "\n# Extent description\nRW 8388608 SPARSE \"disk.vmdk\"\n";
        return Arrays.copyOf(text.getBytes(StandardCharsets.US_ASCII), size);
    }

    @Test
    void aCidOfAnyLengthIsPinnedToTheSameBytes() throws IOException {
        byte[] eight = VmdkDescriptor.withPinnedCid(descriptor("9a3b5c7d", 512), NAME);
        for (String drawn : new String[] {"a3b5c7d", "5c7d", "0", "ffffffff"}) {
            assertArrayEquals(eight, VmdkDescriptor.withPinnedCid(descriptor(drawn, 512), NAME), drawn);
        }
        String text = new String(eight, StandardCharsets.US_ASCII);
        assertTrue(text.startsWith("# Disk DescriptorFile\nversion=1\nCID=" + VmdkDescriptor.PINNED_CID
                + "\nparentCID=ffffffff\n"), text);
        assertTrue(text.contains("RW 8388608 SPARSE \"disk.vmdk\"\n\0"), "the rest moved along, then padding");
        assertEquals(512, eight.length);
    }

    @Test
    void aDescriptorWithoutCidOrRoomIsRefused() {
        assertThrows(IOException.class, () -> VmdkDescriptor.withPinnedCid(descriptor("xyz", 512), NAME));
        byte[] padded = descriptor("abc", 512);
        byte[] noRoom = Arrays.copyOf(padded, new String(padded, StandardCharsets.US_ASCII).indexOf('\0'));
        assertThrows(IOException.class, () -> VmdkDescriptor.withPinnedCid(noRoom, NAME));
    }
}
