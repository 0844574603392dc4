package dev.imagefactory.model;

/**
 * Metric tags of a build ({@code output_kind}, {@code talos_version}, {@code arch}). Values must come from small
 * fixed sets (output kinds, known versions, architectures), never from raw request text.
 */
public record BuildLabels(String outputKind, String talosVersion, String arch) {

    public BuildLabels {
        outputKind = orUnknown(outputKind);
        talosVersion = orUnknown(talosVersion);
        arch = orUnknown(arch);
    }

    /** Labels of an intermediate product (e.g. {@code extension-squashfs}) built for this output. */
    public BuildLabels intermediate(String intermediateKind) {
        return new BuildLabels(intermediateKind, talosVersion, arch);
    }

    private static String orUnknown(String value) {
        return value == null || value.isBlank() ? "unknown" : value;
    }
}
