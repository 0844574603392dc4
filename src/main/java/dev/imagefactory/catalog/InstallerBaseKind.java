package dev.imagefactory.catalog;

/** Which base image an installer is built from (talos-imager.md §1.2). */
public enum InstallerBaseKind {
    /** {@code installer-base}: the installer binary and its tools in one layer, no boot assets (Talos >= 1.10). */
    INSTALLER_BASE("installer-base"),
    /** {@code installer}: the installer layer plus a second layer of boot assets (Talos < 1.10). */
    INSTALLER("installer");

    private final String repositoryName;

    InstallerBaseKind(String repositoryName) {
        this.repositoryName = repositoryName;
    }

    public String repositoryName() {
        return repositoryName;
    }
}
