package dev.imagefactory.build.uki;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The headers of a PE32+ image (a systemd stub, or a UKI made from one), read from a file: DOS header, COFF header,
 * optional header with its data directories, section table. Section data is not read; {@link #rawData} and
 * {@link #data} describe it as file ranges to stream.
 *
 * <p>Only PE32+ (optional header magic 0x20b) is accepted: UEFI stubs for x86_64 and arm64 are PE32+. A file with
 * COFF symbols can be read (Debian's unstripped systemd stub has one); the {@link UkiAssembler} refuses such a
 * stub. Offsets and field names follow the Microsoft PE format specification.
 */
public final class PeFile {

    public static final int PE32_PLUS_MAGIC = 0x20b;
    public static final int DOS_HEADER_SIZE = 0x40;
    public static final int COFF_HEADER_SIZE = 20;
    public static final int SECTION_HEADER_SIZE = 40;
    /** The fixed part of a PE32+ optional header, before the data directories. */
    static final int OPTIONAL_HEADER_FIXED_SIZE = 112;
    /** A PE32+ optional header with all 16 data directories. */
    public static final int OPTIONAL_HEADER_SIZE = OPTIONAL_HEADER_FIXED_SIZE + 16 * 8;

    public static final long IMAGE_SCN_CNT_CODE = 0x20;
    public static final long IMAGE_SCN_CNT_INITIALIZED_DATA = 0x40;
    public static final long IMAGE_SCN_MEM_READ = 0x40000000L;
    /** Index of the certificate table (Authenticode signature) among the data directories. */
    public static final int SECURITY_DIRECTORY = 4;

    /** One section header as stored. Unsigned 32-bit fields are held in longs. */
    public record SectionHeader(String name, long virtualSize, long virtualAddress, long sizeOfRawData,
            long pointerToRawData, long pointerToRelocations, long pointerToLinenumbers, int numberOfRelocations,
            int numberOfLinenumbers, long characteristics) {
    }

    /** One data directory entry (an RVA, except for the certificate table whose "address" is a file offset). */
    public record DataDirectory(long virtualAddress, long size) {
    }

    private final Path file;
    private final long fileSize;
    private final long peOffset;
    private final byte[] dosHeader;
    private final ByteBuffer coff;
    private final ByteBuffer optional;
    private final List<DataDirectory> dataDirectories;
    private final List<SectionHeader> sections;

    private PeFile(Path file, long fileSize, long peOffset, byte[] dosHeader, ByteBuffer coff, ByteBuffer optional,
            List<DataDirectory> dataDirectories, List<SectionHeader> sections) {
        this.file = file;
        this.fileSize = fileSize;
        this.peOffset = peOffset;
        this.dosHeader = dosHeader;
        this.coff = coff;
        this.optional = optional;
        this.dataDirectories = dataDirectories;
        this.sections = sections;
    }

    /** Reads and checks the headers; fails with a message naming the file when it is not a PE32+ image. */
    public static PeFile read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            byte[] dos = readAt(channel, 0, DOS_HEADER_SIZE, file, "DOS header");
            if (dos[0] != 'M' || dos[1] != 'Z') {
                throw new IOException(file + " is not a PE file (no MZ signature)");
            }
            long peOffset = le(dos).getInt(0x3c) & 0xffffffffL;
            if (peOffset < DOS_HEADER_SIZE || peOffset + 4 + COFF_HEADER_SIZE > size) {
                throw new IOException(file + " is not a PE file (e_lfanew " + peOffset + " out of range)");
            }
            byte[] signatureAndCoff = readAt(channel, peOffset, 4 + COFF_HEADER_SIZE, file, "COFF header");
            if (signatureAndCoff[0] != 'P' || signatureAndCoff[1] != 'E' || signatureAndCoff[2] != 0
                    || signatureAndCoff[3] != 0) {
                throw new IOException(file + " is not a PE file (no PE signature at " + peOffset + ")");
            }
            ByteBuffer coff = le(signatureAndCoff).position(4).slice().order(ByteOrder.LITTLE_ENDIAN);
            int sectionCount = coff.getShort(2) & 0xffff;
            int optionalSize = coff.getShort(16) & 0xffff;
            if (optionalSize < 2) {
                throw new IOException(file + " has no optional header: not a PE image");
            }
            long optionalOffset = peOffset + 4 + COFF_HEADER_SIZE;
            ByteBuffer optional = le(readAt(channel, optionalOffset, optionalSize, file, "optional header"));
            int magic = optional.getShort(0) & 0xffff;
            if (magic != PE32_PLUS_MAGIC) {
                throw new IOException(file + " is not PE32+ (optional header magic 0x" + Integer.toHexString(magic)
                        + ", 0x20b expected)");
            }
            if (optionalSize < OPTIONAL_HEADER_FIXED_SIZE) {
                throw new IOException(file + ": PE32+ optional header of " + optionalSize + " bytes is too short");
            }
            long directoryCount = optional.getInt(108) & 0xffffffffL;
            if (OPTIONAL_HEADER_FIXED_SIZE + directoryCount * 8 > optionalSize) {
                throw new IOException(file + ": " + directoryCount + " data directories do not fit in an optional "
                        + "header of " + optionalSize + " bytes");
            }
            List<DataDirectory> directories = new ArrayList<>();
            for (int i = 0; i < directoryCount; i++) {
                int at = OPTIONAL_HEADER_FIXED_SIZE + 8 * i;
                directories.add(new DataDirectory(optional.getInt(at) & 0xffffffffL, optional.getInt(at + 4) & 0xffffffffL));
            }
            long tableOffset = optionalOffset + optionalSize;
            ByteBuffer table = le(readAt(channel, tableOffset, sectionCount * SECTION_HEADER_SIZE, file, "section table"));
            List<SectionHeader> sections = new ArrayList<>();
            for (int i = 0; i < sectionCount; i++) {
                sections.add(sectionHeader(table, i * SECTION_HEADER_SIZE));
            }
            return new PeFile(file, size, peOffset, dos, coff, optional, List.copyOf(directories), List.copyOf(sections));
        }
    }

    private static SectionHeader sectionHeader(ByteBuffer table, int at) {
        byte[] rawName = new byte[8];
        table.get(at, rawName);
        int length = 0;
        while (length < 8 && rawName[length] != 0) {
            length++;
        }
        return new SectionHeader(new String(rawName, 0, length, StandardCharsets.ISO_8859_1),
                u32(table, at + 8), u32(table, at + 12), u32(table, at + 16), u32(table, at + 20),
                u32(table, at + 24), u32(table, at + 28), table.getShort(at + 32) & 0xffff,
                table.getShort(at + 34) & 0xffff, u32(table, at + 36));
    }

    private static byte[] readAt(FileChannel channel, long position, int length, Path file, String what)
            throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new EOFException(file + " ends inside its " + what + ": not a PE image");
            }
        }
        return buffer.array();
    }

    private static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static long u32(ByteBuffer buffer, int at) {
        return buffer.getInt(at) & 0xffffffffL;
    }

    // ---- file ---------------------------------------------------------------------------------------------------

    public Path file() {
        return file;
    }

    public long fileSize() {
        return fileSize;
    }

    /** e_lfanew: where "PE\0\0" is. */
    public long peOffset() {
        return peOffset;
    }

    /** The first 0x40 bytes of the file. */
    public byte[] dosHeader() {
        return dosHeader.clone();
    }

    // ---- COFF header --------------------------------------------------------------------------------------------

    /** The 20 COFF header bytes as stored. */
    public byte[] coffHeader() {
        return bytes(coff);
    }

    public int machine() {
        return coff.getShort(0) & 0xffff;
    }

    public int numberOfSections() {
        return coff.getShort(2) & 0xffff;
    }

    public long timeDateStamp() {
        return u32(coff, 4);
    }

    public long pointerToSymbolTable() {
        return u32(coff, 8);
    }

    public long numberOfSymbols() {
        return u32(coff, 12);
    }

    public int sizeOfOptionalHeader() {
        return coff.getShort(16) & 0xffff;
    }

    public int characteristics() {
        return coff.getShort(18) & 0xffff;
    }

    // ---- optional header (PE32+) --------------------------------------------------------------------------------

    /** The optional header bytes as stored ({@link #sizeOfOptionalHeader()} of them). */
    public byte[] optionalHeader() {
        return bytes(optional);
    }

    public int majorLinkerVersion() {
        return optional.get(2) & 0xff;
    }

    public int minorLinkerVersion() {
        return optional.get(3) & 0xff;
    }

    public long sizeOfCode() {
        return u32(optional, 4);
    }

    public long sizeOfInitializedData() {
        return u32(optional, 8);
    }

    public long sizeOfUninitializedData() {
        return u32(optional, 12);
    }

    public long addressOfEntryPoint() {
        return u32(optional, 16);
    }

    public long imageBase() {
        return optional.getLong(24);
    }

    public long sectionAlignment() {
        return u32(optional, 32);
    }

    public long fileAlignment() {
        return u32(optional, 36);
    }

    public long sizeOfImage() {
        return u32(optional, 56);
    }

    public long sizeOfHeaders() {
        return u32(optional, 60);
    }

    public long checkSum() {
        return u32(optional, 64);
    }

    public int subsystem() {
        return optional.getShort(68) & 0xffff;
    }

    public long numberOfRvaAndSizes() {
        return u32(optional, 108);
    }

    public List<DataDirectory> dataDirectories() {
        return dataDirectories;
    }

    // ---- sections -----------------------------------------------------------------------------------------------

    public List<SectionHeader> sections() {
        return sections;
    }

    /** The first section with this name. */
    public Optional<SectionHeader> section(String name) {
        return sections.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** The section's SizeOfRawData bytes from PointerToRawData, i.e. with the file alignment padding. */
    public SectionContent rawData(SectionHeader section) throws IOException {
        checkInFile(section, section.sizeOfRawData());
        return SectionContent.ofFile(file, section.pointerToRawData(), section.sizeOfRawData());
    }

    /** The section's bytes without padding: its raw data truncated to VirtualSize (what systemd measures). */
    public SectionContent data(SectionHeader section) throws IOException {
        long length = Math.min(section.virtualSize(), section.sizeOfRawData());
        checkInFile(section, length);
        return SectionContent.ofFile(file, section.pointerToRawData(), length);
    }

    private void checkInFile(SectionHeader section, long length) throws IOException {
        if (length > 0 && section.pointerToRawData() + length > fileSize) {
            throw new IOException(file + ": data of section " + section.name() + " (" + length + " bytes at "
                    + section.pointerToRawData() + ") lies beyond the end of the file (" + fileSize + " bytes)");
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] copy = new byte[buffer.capacity()];
        buffer.get(0, copy);
        return copy;
    }

    @Override
    public String toString() {
        return "PeFile[" + file + ", " + sections.size() + " sections]";
    }
}
