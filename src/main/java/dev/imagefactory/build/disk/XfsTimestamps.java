package dev.imagefactory.build.disk;

import dev.imagefactory.content.Reproducible;
import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sets the atime, mtime, ctime and crtime of every inode of a freshly made XFS image to {@code SOURCE_DATE_EPOCH}
 * and has xfs_db recompute the inodes' CRCs.
 *
 * <p>Hand-written because no tool here does it: mkfs.xfs 6.1 has no {@code SOURCE_DATE_EPOCH}, and xfs_db's
 * {@code write core.mtime.sec} mis-encodes bigtime timestamps (it wrote 1901 for 1559424892). xfs_db finds the inodes
 * ({@code blockget -n}, {@code ncheck}, the superblock's root and realtime inodes) and their byte offsets
 * ({@code convert ino N byte}); this class writes the 8-byte timestamps in place; {@code crc -r} then fixes each
 * inode's checksum. Only the timestamp bytes and CRCs change.
 */
final class XfsTimestamps {

    /** XFS v3 inode core (xfs_format.h struct xfs_dinode): the byte offsets used here. */
    private static final int MAGIC = 0;
    private static final int VERSION = 4;
    private static final int ATIME = 32;
    private static final int MTIME = 40;
    private static final int CTIME = 48;
    private static final int FLAGS2 = 120;
    private static final int CRTIME = 144;
    private static final int CORE = 176;
    private static final long FLAG2_BIGTIME = 1L << 3;
    /** A bigtime timestamp counts nanoseconds from 1901-12-13T20:45:52Z, i.e. -2^31 s. */
    private static final long BIGTIME_EPOCH_OFFSET = 1L << 31;

    private static final Pattern SB_INODE = Pattern.compile("^(?:rootino|rbmino|rsumino) = (\\d+)$", Pattern.MULTILINE);
    private static final Pattern NCHECK = Pattern.compile("^\\s*(\\d+)\\s+\\S", Pattern.MULTILINE);
    private static final Pattern BYTE = Pattern.compile("^0x[0-9a-f]+ \\((\\d+)\\)$", Pattern.MULTILINE);

    private XfsTimestamps() {
    }

    static void pin(ProcessRunner runner, Path image) throws IOException {
        List<Long> inodes = inodes(runner, image);
        List<Long> offsets = offsets(runner, image, inodes);
        try (FileChannel channel = FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            for (long offset : offsets) {
                pinInode(channel, offset);
            }
        }
        List<String> crc = new ArrayList<>(List.of("xfs_db", "-x"));
        for (long inode : inodes) {
            crc.addAll(List.of("-c", "inode " + inode, "-c", "crc -r"));
        }
        crc.add(image.toString());
        runner.run(Command.of(crc));
    }

    /** Every allocated inode: the superblock's root and realtime inodes, and every inode with a name. */
    private static List<Long> inodes(ProcessRunner runner, Path image) {
        String out = runner.run(Command.of("xfs_db", "-r", "-c", "sb 0", "-c", "print rootino rbmino rsumino",
                "-c", "blockget -n", "-c", "ncheck", image.toString())).stdout();
        TreeSet<Long> inodes = new TreeSet<>();
        Matcher sb = SB_INODE.matcher(out);
        while (sb.find()) {
            inodes.add(Long.parseLong(sb.group(1)));
        }
        if (inodes.size() != 3) {
            throw new IllegalStateException("xfs_db did not print the root and realtime inodes of " + image + ": "
                    + out);
        }
        Matcher named = NCHECK.matcher(out);
        while (named.find()) {
            inodes.add(Long.parseLong(named.group(1)));
        }
        return new ArrayList<>(inodes);
    }

    private static List<Long> offsets(ProcessRunner runner, Path image, List<Long> inodes) {
        List<String> convert = new ArrayList<>(List.of("xfs_db", "-r"));
        for (long inode : inodes) {
            convert.addAll(List.of("-c", "convert ino " + inode + " byte"));
        }
        convert.add(image.toString());
        String out = runner.run(Command.of(convert)).stdout();
        List<Long> offsets = new ArrayList<>();
        Matcher m = BYTE.matcher(out);
        while (m.find()) {
            offsets.add(Long.parseLong(m.group(1)));
        }
        if (offsets.size() != inodes.size()) {
            throw new IllegalStateException("xfs_db gave " + offsets.size() + " offsets for " + inodes.size()
                    + " inodes: " + out);
        }
        return offsets;
    }

    private static void pinInode(FileChannel channel, long offset) throws IOException {
        ByteBuffer core = ByteBuffer.allocate(CORE);
        while (core.hasRemaining()) {
            if (channel.read(core, offset + core.position()) < 0) {
                throw new IOException("inode at byte " + offset + " lies beyond the end of the image");
            }
        }
        if (core.getShort(MAGIC) != 0x494e || core.get(VERSION) != 3) {
            throw new IllegalStateException("no v3 XFS inode at byte " + offset);
        }
        boolean bigtime = (core.getLong(FLAGS2) & FLAG2_BIGTIME) != 0;
        for (int field : new int[] {ATIME, MTIME, CTIME, CRTIME}) {
            if (bigtime) {
                core.putLong(field, (Reproducible.SOURCE_DATE_EPOCH + BIGTIME_EPOCH_OFFSET) * 1_000_000_000L);
            } else {
                core.putInt(field, (int) Reproducible.SOURCE_DATE_EPOCH).putInt(field + 4, 0);
            }
        }
        core.clear();
        while (core.hasRemaining()) {
            channel.write(core, offset + core.position());
        }
    }
}
