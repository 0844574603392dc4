package dev.imagefactory.build.disk;

import dev.imagefactory.content.AtomicFiles;
import dev.imagefactory.content.Digests;
import dev.imagefactory.content.FileTrees;
import dev.imagefactory.content.Reproducible;
import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An OVA (talos-imager.md §6.6): a tar of {@code disk.ovf}, {@code disk.mf} and a stream-optimised
 * {@code disk.vmdk}, in that order. Debian 12 has no {@code vmdk-convert} (open-vmdk), so {@code qemu-img} makes the
 * VMDK; its random content id is pinned ({@link VmdkDescriptor}). The tar is POSIX ustar, the format the OVF
 * standard names, with a fixed mtime, owner 0:0 and mode 0644 (ustar caps a member at 8 GiB; a stream-optimised
 * VMDK holds only the image's compressed data, a few hundred MiB for Talos).
 */
final class OvaPackage {

    static final String OVF = "disk.ovf";
    static final String MANIFEST = "disk.mf";
    /** The VMDK's adapter type; VMware records this one for disks on its paravirtual SCSI controller too. */
    static final String VMDK_OPTIONS = "subformat=streamOptimized,adapter_type=lsilogic";

    private OvaPackage() {
    }

    static void build(ProcessRunner runner, Path raw, Path out, Path work) throws IOException {
        Files.createDirectories(work);
        Path dir = Files.createTempDirectory(work, "ova-");
        try {
            Path vmdk = dir.resolve(OvfDescriptor.VMDK);
            runner.run(Command.of("qemu-img", "convert", "-q", "-f", "raw", "-O", "vmdk", "-o", VMDK_OPTIONS,
                    raw.toAbsolutePath().toString(), vmdk.toAbsolutePath().toString()));
            VmdkDescriptor.pinContentId(vmdk);
            byte[] ovf = OvfDescriptor.render(Files.size(raw), Files.size(vmdk)).getBytes(StandardCharsets.UTF_8);
            Files.write(dir.resolve(OVF), ovf);
            Files.writeString(dir.resolve(MANIFEST), manifest(Digests.sha256(vmdk).digest().hex(),
                    Digests.sha256(ovf).hex()), StandardCharsets.US_ASCII);
            AtomicFiles.writeWorkFile(out, tmp -> runner.run(Compressions.tool("tar", "--create", "--file=" + tmp,
                    "--format=ustar", "--owner=0", "--group=0", "--numeric-owner", "--mode=0644",
                    "--mtime=@" + Reproducible.SOURCE_DATE_EPOCH, "--directory=" + dir,
                    "--", OVF, MANIFEST, OvfDescriptor.VMDK)));
        } finally {
            FileTrees.deleteRecursively(dir);
        }
    }

    /** {@code disk.mf}: one {@code SHA256(<name>)= <hex>} line per file, the VMDK's first. */
    static String manifest(String vmdkSha256, String ovfSha256) {
        return "SHA256(" + OvfDescriptor.VMDK + ")= " + vmdkSha256 + "\n" + "SHA256(" + OVF + ")= " + ovfSha256 + "\n";
    }
}
