package dev.imagefactory.model;

/**
 * How a finished disk image is compressed for download (Talos' OutFormat, talos-imager.md §6.6), chosen by the
 * asset path's last suffix. The order of {@link #values()} is the order in which suffixes are tried, so
 * {@code .tar.gz} wins over {@code .gz}.
 */
public enum OutputCompression {
    /** {@code tar --sparse} of {@code disk.raw}, gzip'ed (GCP). */
    TAR_GZ(".tar.gz"),
    GZ(".gz"),
    XZ(".xz"),
    ZSTD(".zst"),
    /** No suffix: the disk image as is. */
    NONE("");

    private final String suffix;

    OutputCompression(String suffix) {
        this.suffix = suffix;
    }

    /** The file name suffix, with its dot; empty for {@link #NONE}. */
    public String suffix() {
        return suffix;
    }

    @Override
    public String toString() {
        return this == NONE ? "none" : suffix;
    }
}
