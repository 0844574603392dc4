package dev.imagefactory.model;

import java.util.Objects;

/**
 * Every difference between Talos versions that the builders need, as one named answer each (talos-imager.md §0.1,
 * Talos {@code pkg/machinery/imager/quirks}). One code base serves every version; old releases are built the way
 * today's imager builds them, not the way their own imager did.
 *
 * <p>Only major.minor.patch counts: {@code v1.12.0-alpha.1} and {@code v1.11.0-debian.1} answer like 1.12.0 and
 * 1.11.0. Upstream also accepts versions that do not parse and then answers each quirk "as latest Talos" — but not
 * always {@code true}: see {@link #unknownVersion()}. The factory never gets there (versions are validated at the
 * edge); the behaviour is kept so that the table is complete.
 */
public final class Quirks implements PlanValue {

    private static final long MIB = 1024L * 1024;
    private static final long GIB = 1024 * MIB;

    /** major.minor.patch of the image's Talos version; null = a version that did not parse. */
    private final TalosVersion version;

    private Quirks(TalosVersion version) {
        this.version = version;
    }

    public static Quirks of(TalosVersion version) {
        return new Quirks(Objects.requireNonNull(version, "version").release());
    }

    /** What upstream answers for a version string that does not parse. */
    public static Quirks unknownVersion() {
        return new Quirks(null);
    }

    // ---- the table: one line per quirk, with its threshold ------------------------------------------------------
    // since(x)  = version >= x, "true" for an unknown version
    // before(x) = version <  x, "false" for an unknown version

    /** GRUB gets a "reset" menu entry (ISO and disk). */
    public boolean supportsResetGrubOption() { return since(1, 4, 0); }

    /** UKI, and therefore SecureBoot, is possible at all. */
    public boolean supportsUki() { return since(1, 5, 0); }

    /** Multi-document machine configuration. */
    public boolean supportsMultidoc() { return since(1, 5, 0); }

    /** The META value on the cmdline may be gzip'ed (§3.6). */
    public boolean supportsCompressedEncodedMeta() { return since(1, 6, 3); }

    /** Overlays are allowed; the schematic travels in the schematic extension. */
    public boolean supportsOverlay() { return since(1, 7, 0); }

    /** zstd instead of xz for extension squashfs images and the appended cpio. */
    public boolean useZstdCompression() { return since(1, 8, 0); }

    /** The ISO gets {@code -volid}/{@code -volset-id}. */
    public boolean supportsIsoLabel() { return since(1, 8, 0); }

    /** metal amd64 keeps {@code console=ttyS0} (it was dropped in 1.8). */
    public boolean supportsMetalPlatformConsoleTtyS0() { return before(1, 8, 0); }

    /** ISO cmdline gets {@code talos.halt_if_installed=1}. */
    public boolean supportsHaltIfInstalled() { return since(1, 8, 0); }

    /** Disk images no longer pre-create STATE/EPHEMERAL: Talos creates them on first boot. */
    public boolean skipDataPartitions() { return since(1, 8, 0); }

    /** {@code selinux=1} on the default cmdline. */
    public boolean supportsSelinux() { return since(1, 10, 0); }

    /** sd-boot for UEFI; a UKI is always built for ISO/image/installer. Unknown version: false (sic, upstream). */
    public boolean useSdBootForUefi() { return version != null && since(1, 10, 0); }

    /** {@code .profile} sections in the UKI. */
    public boolean supportsUkiProfiles() { return since(1, 10, 0); }

    /** Installer from {@code installer-base}; extra kernel args allowed for installer and UKI outputs. */
    public boolean supportsUnifiedInstaller() { return since(1, 10, 0); }

    /** {@code ima_*} default args. Upstream's rule is "<= 1.10.99"; kept literally. */
    public boolean supportsIma() { return version != null && compareTo(1, 10, 99) <= 0; }

    /** Factory talosctl downloads. Upstream's threshold is 1.11.0-alpha.3; with the pre-release dropped from the
     *  image version this is the same as >= 1.11.0. */
    public boolean supportsFactoryTalosctlDownload() { return since(1, 11, 0); }

    /** Embedded machine configuration (the {@code embedded-config} extension). */
    public boolean supportsEmbeddedConfig() { return since(1, 12, 0); }

    /** {@code module.sig_enforce=1} on the default cmdline (so users can turn it off). */
    public boolean supportsDisablingModuleSignatureVerification() { return since(1, 12, 0); }

    /** The ISO bootloader (grub / sd-boot / dual-boot) can be chosen. */
    public boolean isoSupportsSettingBootloader() { return since(1, 12, 0); }

    /** {@code proc_mem.force_override=never} on the default cmdline. */
    public boolean procMemOverrideNever() { return since(1, 13, 0); }

    /** {@code init_on_alloc=1} is no longer a default arg. */
    public boolean dropInitOnAllocInArgs() { return since(1, 14, 0); }

    /** {@code nvme_core.io_timeout=4294967295} moves from the defaults to the AWS platform args. */
    public boolean nvmeCoreIoTimeoutAwsOnly() { return since(1, 14, 0); }

    /**
     * SecureBoot adds {@code lockdown=confidentiality}. This is upstream HEAD behaviour (after v1.14.0-rc.1): only
     * below 1.14. In the v1.14.0-rc.1 that the reference factory pins, the quirk does not exist and SecureBoot
     * always adds it, so SecureBoot cmdlines for >= 1.14 differ from that factory's by this one argument.
     */
    public boolean forcesLockdownConfidentiality() { return before(1, 14, 0); }

    /** {@code /usr/lib/modules} after the usr-merge (1.10), {@code /lib/modules} before. */
    public String kernelModulesPath() { return since(1, 10, 0) ? "/usr/lib/modules" : "/lib/modules"; }

    /** {@code /usr/lib/firmware} after the usr-merge (1.10), {@code /lib/firmware} before. */
    public String firmwarePath() { return since(1, 10, 0) ? "/usr/lib/firmware" : "/lib/firmware"; }

    /** BOOT partition: 2000 MiB from 1.11, 1000 MiB before. */
    public long bootPartitionSizeBytes() { return (since(1, 11, 0) ? 2000 : 1000) * MIB; }

    /** mkfs.xfs config for the BOOT partition, by the kernel LTS line of the release. */
    public String xfsMkfsConfig() {
        String lts = since(1, 13, 0) ? "6.18" : since(1, 10, 0) ? "6.12" : since(1, 8, 0) ? "6.6" : "6.1";
        return "/usr/share/xfsprogs/mkfs/lts_" + lts + ".conf";
    }

    /** Minimum XFS allocation group size: 64 GiB from 1.14, else 0 (mkfs defaults). Not hit in image mode. */
    public long xfsMinAllocationGroupSizeBytes() { return since(1, 14, 0) ? 64 * GIB : 0; }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private boolean since(int major, int minor, int patch) {
        return version == null || compareTo(major, minor, patch) >= 0;
    }

    private boolean before(int major, int minor, int patch) {
        return version != null && compareTo(major, minor, patch) < 0;
    }

    private int compareTo(int major, int minor, int patch) {
        return version.compareTo(TalosVersion.of(major, minor, patch));
    }

    /** In a plan: every quirk is a function of the release's major.minor.patch, so that identifies them all. */
    @Override
    public String canonical() {
        return version == null ? "unknown-version" : "talos-" + version;
    }

    @Override
    public String toString() {
        return "Quirks[" + (version == null ? "unknown version" : version) + "]";
    }
}
