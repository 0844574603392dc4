package dev.imagefactory.schematic;

import dev.imagefactory.schematic.goyaml.DecodeLimits;

/**
 * The bounds a schematic must keep. A request is decoded under {@link #REQUEST}: every bound is checked while the
 * document is composed and decoded, so a hostile body (alias bombs, deep nesting) is refused after at most about a
 * mebibyte of work and memory, never after building what it describes. Stored schematics are loaded under
 * {@link #STORED}, which only bounds their size: whatever an earlier version accepted and stored keeps loading.
 */
public final class SchematicLimits {

    /** The request body limit, and the bound on the decoded schematic and its canonical YAML. */
    public static final int MAX_DOCUMENT_BYTES = 1024 * 1024;
    /** Nesting levels of the whole document (the schematic's own structure uses 4); aliases count where used. */
    public static final int MAX_DEPTH = 64;
    /** {@code customization.systemExtensions.officialExtensions}: the catalog of a release has about 100. */
    public static final int MAX_EXTENSIONS = 256;
    /** {@code customization.meta}: META keys are one byte, so 256 values can all be distinct. */
    public static final int MAX_META_VALUES = 256;
    /**
     * {@code customization.extraKernelArgs}. Their total length is not refused here: the reference accepts long
     * arguments and its clients expect the same ID, so the kernel's own limit is checked where the command line
     * is rendered for an architecture ({@code CmdlineBuilder.render}).
     */
    public static final int MAX_KERNEL_ARGS = 1024;

    /** go-yaml's own nesting limit, which is all that bounds a stored schematic's depth. */
    private static final int GO_YAML_MAX_DEPTH = 10_000;

    /**
     * Requests: the decoder charges each node its text plus the indentation the canonical YAML gives it (4 spaces
     * a level), so the running total is an estimate of the canonical size and the refusal comes before it is built.
     */
    static final DecodeLimits REQUEST = new DecodeLimits(MAX_DOCUMENT_BYTES, MAX_DEPTH, 4);
    /** Stored schematics are canonical YAML of at most {@link #MAX_DOCUMENT_BYTES}: no aliases, nothing to expand. */
    static final DecodeLimits STORED = new DecodeLimits(4L * MAX_DOCUMENT_BYTES, GO_YAML_MAX_DEPTH, 0);

    private SchematicLimits() {
    }
}
