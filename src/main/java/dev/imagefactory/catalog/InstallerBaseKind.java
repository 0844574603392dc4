package dev.imagefactory.catalog;

/** Which base image an installer is built from (talos-imager.md §1.2). */
public enum InstallerBaseKind {
    /** {@code installer-base}: Talos >= 1.10, one layer, no boot assets. */
    INSTALLER_BASE("installer-base"),
    /** {@code installer}: Talos < 1.10, whose second layer holds the boot assets. */
    INSTALLER("installer");

    private final String repositoryName;

    InstallerBaseKind(String repositoryName) {
        this.repositoryName = repositoryName;
    }

    /** The repository's last path segment upstream, and the folder name in a release directory. */
    public String repositoryName() {
        return repositoryName;
    }
}
