package dev.imagefactory.secureboot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * The PE optional header's {@code CheckSum} (ImageHlp's algorithm): the ones'-complement sum of the image's 16-bit
 * words with the field itself left out, folded to 16 bits, plus the file's length. It is the value Jsign writes
 * (its {@code PEImageChecksum}), computed a long at a time: a 64-bit little-endian word is
 * {@code lo + hi * 2^32}, and {@code 2^32 = 1 (mod 65535)}, so the sum modulo 65535 of the words' halves is the sum
 * modulo 65535 of the 16-bit words. Jsign adds the image's bytes one at a time, which took 0.4 s of a signed UKI's
 * build at Talos' sizes; this reads it at memory speed.
 */
final class PeChecksum {

    private static final int CHUNK = 1 << 20;
    private static final long MODULUS = 0xffff;

    private PeChecksum() {
    }

    /**
     * The checksum of the image in {@code channel} (read from its start to its end), the field at
     * {@code checksumOffset} (4-byte aligned) counted as zero. Images whose length is not a multiple of 4 are not
     * supported (a signed image is 8-byte aligned).
     */
    static long compute(FileChannel channel, long checksumOffset) throws IOException {
        long length = channel.size();
        if (length % 4 != 0 || checksumOffset % 4 != 0) {
            throw new IOException("PE checksum: image length " + length + " or field offset " + checksumOffset
                    + " is not a multiple of 4");
        }
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        long sum = 0;
        long position = 0;
        while (position < length) {
            buffer.clear();
            int read = channel.read(buffer, position);
            if (read < 0) {
                throw new IOException("PE checksum: the image ended at " + position + " of " + length + " bytes");
            }
            if (read % 4 != 0 && position + read < length) {
                buffer.limit(read - read % 4); // a short read mid-word: take the rest of the word with the next read
                read -= read % 4;
            }
            buffer.flip();
            sum = (sum + sumOfWords(buffer)) % MODULUS;
            position += read;
        }
        long field = readWord(channel, checksumOffset);
        sum = Math.floorMod(sum - field % MODULUS, MODULUS);
        boolean anyNonZero = sum != 0 || hasNonZeroWord(channel, checksumOffset);
        // ones'-complement: a non-zero total congruent to 0 is 0xffff, not 0
        long folded = sum == 0 ? (anyNonZero ? MODULUS : 0) : sum;
        return folded + length;
    }

    /** The sum, modulo 65535, of the 32-bit little-endian words between the buffer's position and limit. */
    private static long sumOfWords(ByteBuffer buffer) {
        long sum = 0;
        while (buffer.remaining() >= 8) {
            long word = buffer.getLong();
            sum += (word & 0xffffffffL) + (word >>> 32); // at most 2^33 per long, 2^50 per chunk: no overflow
        }
        if (buffer.remaining() >= 4) {
            sum += buffer.getInt() & 0xffffffffL;
        }
        return sum % MODULUS;
    }

    private static long readWord(FileChannel channel, long offset) throws IOException {
        ByteBuffer word = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        while (word.hasRemaining()) {
            if (channel.read(word, offset + word.position()) < 0) {
                throw new IOException("PE checksum: no checksum field at " + offset);
            }
        }
        return word.getInt(0) & 0xffffffffL;
    }

    /**
     * Whether any word but the checksum field is non-zero: only then is a total of 0 (mod 65535) written as 0xffff.
     * Reached only when the total is a multiple of 65535, so the extra pass is as good as never taken.
     */
    private static boolean hasNonZeroWord(FileChannel channel, long checksumOffset) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        long position = 0;
        for (int read; (read = channel.read(buffer.clear(), position)) > 0; position += read) {
            buffer.flip();
            for (int i = 0; i + 4 <= read; i += 4) {
                if (position + i != checksumOffset && buffer.getInt(i) != 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Computes the checksum of the image and writes it into its field (little-endian, 32 bits). */
    static void update(FileChannel channel, long checksumOffset) throws IOException {
        long checksum = compute(channel, checksumOffset);
        ByteBuffer value = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, (int) checksum);
        while (value.hasRemaining()) {
            channel.write(value, checksumOffset + value.position());
        }
    }
}
