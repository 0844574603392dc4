package dev.imagefactory.build.uki;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Builds a UKI file: reads the stub, lays out the sections ({@link UkiSections}, calling the PCR signer for signed
 * builds) and writes the PE ({@link UkiAssembler}). The output path is written directly; the caller picks a
 * temporary name and renames it. Authenticode signing of the result is a separate, later step.
 */
public final class UkiBuilder {

    private final UkiAssembler assembler;

    /** Stamped with SOURCE_DATE_EPOCH, like the factory. */
    public UkiBuilder() {
        this(new UkiAssembler());
    }

    public UkiBuilder(UkiAssembler assembler) {
        this.assembler = assembler;
    }

    /**
     * Writes the UKI to {@code output} and returns the sections appended to the stub, in order. An unsigned UKI is
     * final as written, so it is hashed and flushed as it is written (the cache then publishes it without reading it).
     */
    public List<Section> build(UkiInputs inputs, Path output) throws IOException {
        return build(inputs, output, true);
    }

    /**
     * {@link #build}; an unsigned UKI is hashed as it is written only when {@code hashWhileWriting}. Without, the
     * kernel copies the sections (no pass through the JVM): for an intermediate, which the cache hashes in the
     * background while the next step already runs.
     */
    public List<Section> build(UkiInputs inputs, Path output, boolean hashWhileWriting) throws IOException {
        PeFile stub = PeFile.read(inputs.stub());
        List<Section> sections = UkiSections.forInputs(inputs, stub);
        if (inputs.isSigned() || !hashWhileWriting) {
            assembler.assemble(stub, sections, output); // signed: Authenticode-signed next, its bytes not final yet
        } else {
            assembler.assembleHashed(stub, sections, output);
        }
        return sections;
    }

    /**
     * Writes a signed build's UKI (its {@code .pcrsig} made) to {@code output}, ready for Authenticode signing, and
     * returns its Authenticode digest (SHA-256), taken as it was written.
     */
    public byte[] buildForSigning(UkiInputs inputs, Path output) throws IOException {
        if (!inputs.isSigned()) {
            throw new IllegalArgumentException("not a signed build: no PCR signer");
        }
        PeFile stub = PeFile.read(inputs.stub());
        return assembler.assembleForSigning(stub, UkiSections.forInputs(inputs, stub), output);
    }
}
