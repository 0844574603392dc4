package dev.imagefactory.build.initramfs;

import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * mksquashfs with the imager's flags (talos-imager.md §2.3): root-owned, zstd level 18 from Talos 1.8, xz with a
 * full-size dictionary before. Upstream excludes every on-disk xattr ({@code -xattrs-exclude .*}) and adds only
 * SELinux labels ({@code -p "<path> x security.selinux=<label>"}); squashfs-tools older than 4.6 (Debian 12 ships
 * 4.5.1) know neither, so there we store no xattrs at all and say so in the log. The filesystem and file times
 * come from SOURCE_DATE_EPOCH, which {@link ProcessRunner} always sets (mksquashfs refuses it together with
 * {@code -mkfs-time}/{@code -all-time}), so the same tree always gives the same image.
 */
public final class Squashfs {

    private static final Logger LOG = Logger.getLogger(Squashfs.class);

    private static final Pattern VERSION = Pattern.compile("mksquashfs version (\\d+)\\.(\\d+)");

    private final ProcessRunner runner;
    /** Whether mksquashfs is 4.6 or newer; asked on first use so a missing tool does not stop the service. */
    private volatile Boolean supportsXattrPseudo;

    public Squashfs(ProcessRunner runner) {
        this.runner = runner;
    }

    private boolean supportsXattrPseudo() {
        if (supportsXattrPseudo == null) {
            ProcessRunner.Result version = runner.run(Command.of("mksquashfs", "-version"));
            Matcher m = VERSION.matcher(version.stdout() + version.stderr());
            supportsXattrPseudo = m.find() && (Integer.parseInt(m.group(1)) > 4
                    || Integer.parseInt(m.group(1)) == 4 && Integer.parseInt(m.group(2)) >= 6);
        }
        return supportsXattrPseudo;
    }

    /**
     * Squashes {@code source} into {@code output}; {@code exclude} lists paths relative to source to leave out
     * (e.g. the firmware tree, which goes into the initramfs instead).
     */
    public void create(Path source, Path output, SquashfsCompression compression, Map<String, String> labels,
            List<String> exclude) {
        List<String> args = new ArrayList<>(List.of("mksquashfs", source.toString(), output.toString(),
                "-all-root", "-noappend", "-no-progress", "-quiet"));
        args.addAll(compression.args());
        if (supportsXattrPseudo()) {
            args.addAll(List.of("-xattrs-exclude", ".*"));
            labels.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(label -> {
                String rel = label.getKey().equals("/") ? "/" : label.getKey().replaceFirst("^/", "");
                args.addAll(List.of("-p", rel + " x security.selinux=" + label.getValue()));
            });
        } else {
            args.add("-no-xattrs");
            if (!labels.isEmpty()) {
                LOG.warnf("mksquashfs is older than 4.6: %d SELinux label(s) not stored in %s", labels.size(),
                        output.getFileName());
            }
        }
        if (!exclude.isEmpty()) {
            args.add("-e");
            args.addAll(exclude);
        }
        runner.run(Command.of(args));
    }
}
