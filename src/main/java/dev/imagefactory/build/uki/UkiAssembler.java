package dev.imagefactory.build.uki;

import dev.imagefactory.content.HashedFileWriter;
import dev.imagefactory.content.Reproducible;
import dev.imagefactory.model.Digest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Appends sections to a systemd stub and writes the result as a new PE32+ image: the UKI (talos-imager.md §4.3).
 *
 * <p>This is our own small PE writer. No Java library writes PE images, and the tools that can (objcopy, ukify)
 * differ from upstream's native writer in header details, so the layout is computed here field by field:
 * <ul>
 * <li>the stub's DOS header (0x40 bytes) with e_lfanew = 0x80, then 0x40 zero bytes, then "PE\0\0" at 0x80;</li>
 * <li>the stub's COFF header with NumberOfSections updated and TimeDateStamp = the given timestamp
 * (SOURCE_DATE_EPOCH in the factory);</li>
 * <li>the stub's optional header with linker version 0.0, CheckSum 0, SizeOfCode/SizeOfInitializedData summed
 * from the final section table, SizeOfHeaders and SizeOfImage recomputed, data directories unchanged; a stub with
 * fewer than 16 data directories (Debian's hand-made AArch64 stub has 6) gets the missing ones as zeros, so the
 * optional header is always the 240 bytes the §4.3 SizeOfHeaders formula counts;</li>
 * <li>a section table in which every header, the stub's included, has only Name, VirtualSize, VirtualAddress,
 * SizeOfRawData, PointerToRawData and Characteristics (relocation and line-number fields zero);</li>
 * <li>the raw data of all sections back to back from SizeOfHeaders, each zero-padded to its SizeOfRawData.</li>
 * </ul>
 * Appended sections start at the first SectionAlignment boundary after the stub's last section and follow each
 * other on SectionAlignment boundaries; VirtualSize = content size, SizeOfRawData = content size rounded up to
 * FileAlignment, characteristics INITIALIZED_DATA | MEM_READ. Contents are streamed from their files, never held.
 */
public final class UkiAssembler {

    /** IMAGE_SCN_CNT_INITIALIZED_DATA | IMAGE_SCN_MEM_READ. */
    public static final long APPENDED_CHARACTERISTICS = PeFile.IMAGE_SCN_CNT_INITIALIZED_DATA | PeFile.IMAGE_SCN_MEM_READ;
    /** e_lfanew of the output: right after the DOS header and 0x40 bytes of padding. */
    static final int PE_OFFSET = 0x80;
    private static final long U32 = 0xffffffffL;
    private static final int PADDING_CHUNK = 64 * 1024;
    /** The Security (certificate table) data directory entry in a PE32+ optional header: the fifth of 16. */
    private static final int SECURITY_DIRECTORY_ENTRY = 112 + 4 * 8;

    private final long timeDateStamp;

    /** Stamps the COFF header with SOURCE_DATE_EPOCH (1559424892), like the factory. */
    public UkiAssembler() {
        this(Reproducible.SOURCE_DATE_EPOCH);
    }

    public UkiAssembler(long timeDateStamp) {
        if (timeDateStamp < 0 || timeDateStamp > U32) {
            throw new IllegalArgumentException("TimeDateStamp must fit in 32 bits: " + timeDateStamp);
        }
        this.timeDateStamp = timeDateStamp;
    }

    /** One section of the output: its header and where its raw data comes from. */
    record Placed(PeFile.SectionHeader header, SectionContent content) {
    }

    /** The complete layout of the output: the header bytes (SizeOfHeaders of them) and the sections in order. */
    record Layout(byte[] headers, List<Placed> sections, long fileSize) {
    }

    /** Writes the stub with {@code appended} added, in this order, to {@code output} (created or truncated). */
    public void assemble(PeFile stub, List<Section> appended, Path output) throws IOException {
        Layout layout = layout(stub, appended);
        try (FileChannel out = FileChannel.open(output, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            write(layout, out, out::position);
        }
    }

    /**
     * {@link #assemble}, the file hashed and flushed as it is written ({@link HashedFileWriter}): for a UKI that is
     * final as written (not signed afterwards), so the cache publishes it without reading it again.
     */
    public void assembleHashed(PeFile stub, List<Section> appended, Path output) throws IOException {
        Layout layout = layout(stub, appended);
        try (HashedFileWriter out = HashedFileWriter.create(output)) {
            write(layout, out, out::size);
            out.finish();
        }
    }

    /**
     * {@link #assemble}, returning the image's Authenticode digest (SHA-256), taken as it is written: the signer then
     * need not read the image again. It leaves out the PE CheckSum and the Security data directory entry (the image
     * has no certificate table yet and its sections follow each other to the end of the file, so the rest is the
     * whole file, in order).
     */
    public byte[] assembleForSigning(PeFile stub, List<Section> appended, Path output) throws IOException {
        Layout layout = layout(stub, appended);
        long optionalAt = PE_OFFSET + 4 + PeFile.COFF_HEADER_SIZE;
        List<HashedFileWriter.Range> unhashed = List.of(new HashedFileWriter.Range(optionalAt + 64, 4),
                new HashedFileWriter.Range(optionalAt + SECURITY_DIRECTORY_ENTRY, 8));
        try (HashedFileWriter out = HashedFileWriter.create(output, unhashed)) {
            write(layout, out, out::size);
            return HexFormat.of().parseHex(out.finish().digest(Digest.Algorithm.SHA256).hex());
        }
    }

    /** Where a writer is: the bytes written so far. */
    private interface Position {
        long get() throws IOException;
    }

    private static void write(Layout layout, WritableByteChannel out, Position position) throws IOException {
        writeFully(out, ByteBuffer.wrap(layout.headers()));
        for (Placed placed : layout.sections()) {
            long start = position.get();
            placed.content().writeTo(out);
            long written = position.get() - start;
            if (written != placed.content().size()) {
                throw new IOException("section " + placed.header().name() + ": wrote " + written + " bytes, "
                        + placed.content().size() + " expected");
            }
            pad(out, placed.header().sizeOfRawData() - written);
        }
        if (position.get() != layout.fileSize()) {
            throw new IOException("UKI layout error: wrote " + position.get() + " bytes, " + layout.fileSize()
                    + " planned");
        }
    }

    /** Computes every header and offset; nothing is written. */
    Layout layout(PeFile stub, List<Section> appended) throws IOException {
        checkStub(stub);
        long fileAlignment = stub.fileAlignment();
        long sectionAlignment = stub.sectionAlignment();

        // Section headers: the stub's (data copied from the stub, SizeOfRawData bytes), then the appended ones.
        List<PeFile.SectionHeader> headers = new ArrayList<>();
        List<SectionContent> contents = new ArrayList<>();
        for (PeFile.SectionHeader section : stub.sections()) {
            headers.add(section);
            contents.add(stub.rawData(section));
        }
        PeFile.SectionHeader last = stub.sections().get(stub.sections().size() - 1);
        long virtualAddress = roundUp(last.virtualAddress() + last.virtualSize(), sectionAlignment);
        for (Section section : appended) {
            long size = section.size();
            headers.add(new PeFile.SectionHeader(section.name(), u32(size, section.name() + " size"),
                    u32(virtualAddress, section.name() + " address"),
                    u32(roundUp(size, fileAlignment), section.name() + " raw size"), 0, 0, 0, 0, 0,
                    APPENDED_CHARACTERISTICS));
            contents.add(section.content());
            virtualAddress = roundUp(virtualAddress + size, sectionAlignment);
        }
        int count = headers.size();
        if (count > 0xffff) {
            throw new IllegalArgumentException("too many sections: " + count);
        }

        long sizeOfHeaders = roundUp(PE_OFFSET + 4 + PeFile.COFF_HEADER_SIZE + PeFile.OPTIONAL_HEADER_SIZE
                + (long) PeFile.SECTION_HEADER_SIZE * count, fileAlignment);
        PeFile.SectionHeader lastHeader = headers.get(count - 1);
        long sizeOfImage = u32(roundUp(lastHeader.virtualAddress() + lastHeader.virtualSize(), sectionAlignment),
                "SizeOfImage");
        long sizeOfCode = 0;
        long sizeOfInitializedData = 0;
        long pointer = sizeOfHeaders;
        List<Placed> placed = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            PeFile.SectionHeader h = headers.get(i);
            if ((h.characteristics() & PeFile.IMAGE_SCN_CNT_INITIALIZED_DATA) != 0) {
                sizeOfInitializedData += h.sizeOfRawData();
            } else {
                sizeOfCode += h.sizeOfRawData();
            }
            placed.add(new Placed(new PeFile.SectionHeader(h.name(), h.virtualSize(), h.virtualAddress(),
                    h.sizeOfRawData(), u32(pointer, h.name() + " file offset"), 0, 0, 0, 0, h.characteristics()),
                    contents.get(i)));
            pointer += h.sizeOfRawData();
        }

        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(sizeOfHeaders)).order(ByteOrder.LITTLE_ENDIAN);
        // DOS header, e_lfanew = 0x80, 0x40 zero bytes (the buffer starts zeroed), PE signature.
        out.put(0, stub.dosHeader());
        out.putInt(0x3c, PE_OFFSET);
        out.put(PE_OFFSET, new byte[] {'P', 'E', 0, 0});
        // COFF header.
        int coffAt = PE_OFFSET + 4;
        out.put(coffAt, stub.coffHeader());
        out.putShort(coffAt + 2, (short) count);
        out.putShort(coffAt + 16, (short) PeFile.OPTIONAL_HEADER_SIZE);       // SizeOfOptionalHeader
        out.putInt(coffAt + 4, (int) timeDateStamp);
        // Optional header.
        int optionalAt = coffAt + PeFile.COFF_HEADER_SIZE;
        out.put(optionalAt, stub.optionalHeader());
        out.put(optionalAt + 2, (byte) 0);                                   // MajorLinkerVersion
        out.put(optionalAt + 3, (byte) 0);                                   // MinorLinkerVersion
        out.putInt(optionalAt + 4, (int) u32(sizeOfCode, "SizeOfCode"));
        out.putInt(optionalAt + 8, (int) u32(sizeOfInitializedData, "SizeOfInitializedData"));
        out.putInt(optionalAt + 56, (int) sizeOfImage);
        out.putInt(optionalAt + 60, (int) sizeOfHeaders);
        out.putInt(optionalAt + 64, 0);                                      // CheckSum
        out.putInt(optionalAt + 108, 16);                                    // NumberOfRvaAndSizes (zero-extended)
        // Section table.
        int tableAt = optionalAt + PeFile.OPTIONAL_HEADER_SIZE;
        for (int i = 0; i < count; i++) {
            PeFile.SectionHeader h = placed.get(i).header();
            int at = tableAt + i * PeFile.SECTION_HEADER_SIZE;
            out.put(at, h.name().getBytes(StandardCharsets.ISO_8859_1));
            out.putInt(at + 8, (int) h.virtualSize());
            out.putInt(at + 12, (int) h.virtualAddress());
            out.putInt(at + 16, (int) h.sizeOfRawData());
            out.putInt(at + 20, (int) h.pointerToRawData());
            out.putInt(at + 36, (int) h.characteristics());
        }
        return new Layout(out.array(), List.copyOf(placed), pointer);
    }

    /** What the writer relies on; each refusal names the stub. */
    private static void checkStub(PeFile stub) throws IOException {
        String name = "stub " + stub.file();
        if (stub.pointerToSymbolTable() != 0 || stub.numberOfSymbols() != 0) {
            throw new IOException(name + " has COFF symbols (table at " + stub.pointerToSymbolTable() + ", "
                    + stub.numberOfSymbols() + " symbols): not supported, strip them first");
        }
        // Exactly the fixed part plus the directories: anything else would be bytes we do not know how to copy.
        long directories = stub.numberOfRvaAndSizes();
        if (directories > 16 || stub.sizeOfOptionalHeader() != PeFile.OPTIONAL_HEADER_FIXED_SIZE + 8 * directories) {
            throw new IOException(name + ": optional header of " + stub.sizeOfOptionalHeader() + " bytes with "
                    + directories + " data directories; up to 240 bytes with up to 16, and nothing else, expected");
        }
        if (stub.sections().isEmpty()) {
            throw new IOException(name + " has no sections");
        }
        if (!isPowerOfTwo(stub.fileAlignment()) || !isPowerOfTwo(stub.sectionAlignment())) {
            throw new IOException(name + ": FileAlignment " + stub.fileAlignment() + " and SectionAlignment "
                    + stub.sectionAlignment() + " must be powers of two");
        }
        PeFile.DataDirectory security = directories > PeFile.SECURITY_DIRECTORY
                ? stub.dataDirectories().get(PeFile.SECURITY_DIRECTORY) : new PeFile.DataDirectory(0, 0);
        if (security.virtualAddress() != 0 || security.size() != 0) {
            // The certificate table is addressed by file offset and would point into the new layout.
            throw new IOException(name + " is Authenticode-signed (certificate table at " + security.virtualAddress()
                    + "): use the unsigned stub; the UKI is signed as a whole afterwards");
        }
        for (PeFile.SectionHeader section : stub.sections()) {
            stub.rawData(section); // checks that the data lies inside the file
        }
    }

    private static boolean isPowerOfTwo(long value) {
        return value > 0 && (value & (value - 1)) == 0;
    }

    static long roundUp(long value, long alignment) {
        return (value + alignment - 1) / alignment * alignment;
    }

    private static long u32(long value, String what) {
        if (value < 0 || value > U32) {
            throw new IllegalArgumentException(what + " does not fit in a 32-bit PE field: " + value);
        }
        return value;
    }

    private static void writeFully(WritableByteChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    private static void pad(WritableByteChannel out, long count) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(count, PADDING_CHUNK));
        long left = count;
        while (left > 0) {
            zeros.clear().limit((int) Math.min(left, zeros.capacity()));
            left -= out.write(zeros);
        }
    }
}
