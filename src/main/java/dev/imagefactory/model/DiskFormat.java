package dev.imagefactory.model;

/** The disk image container format, chosen by the URL suffix before any compression (talos-imager.md §6.6). */
public enum DiskFormat {
    RAW("raw", "raw"),
    QCOW2("qcow2", "qcow2"),
    /** Microsoft VHD; {@code qemu-img} calls it {@code vpc}. */
    VHD("vhd", "vpc"),
    /** A tar of {@code disk.ovf}, {@code disk.mf} and a stream-optimised {@code disk.vmdk}. */
    OVA("ova", null);

    private final String extension;
    private final String qemuImgFormat;

    DiskFormat(String extension, String qemuImgFormat) {
        this.extension = extension;
        this.qemuImgFormat = qemuImgFormat;
    }

    /** The suffix in asset paths and Talos' name for it, without the dot: {@code raw}, {@code qcow2}, ... */
    public String extension() {
        return extension;
    }

    /** {@code qemu-img -O} name; null for OVA, a tar around a VMDK (build/disk/OvaPackage). */
    public String qemuImgFormat() {
        return qemuImgFormat;
    }

    @Override
    public String toString() {
        return extension;
    }
}
