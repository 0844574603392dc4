package dev.imagefactory.boot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.model.Arch;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * Boots a machine in QEMU (TCG, no display, no reboot) and returns the {@code FACTORY-REPORT} JSON that the
 * stand-in release's init (scripts/standin-init) prints on the serial port before it powers off.
 *
 * <pre>
 * JsonNode report = Qemu.kernelBoot(vmlinuz, initramfs, "console=ttyS0").run();
 * JsonNode report = Qemu.machine(Arch.ARM64).aavmf(tmp).cdrom(iso).timeout(Qemu.ARM64_TIMEOUT).run();
 * </pre>
 *
 * The machine is plain: 512 MiB, the default devices, serial port 0 written to a log file. Later tests add what they
 * need with {@link #uefi}, {@link #drive}, {@link #cdrom} or raw {@link #args}; {@link #command} shows the result.
 * A missing qemu-system-x86_64 / qemu-system-aarch64 is a failure, never a skip.
 *
 * <p>arm64 ({@link #machine(Arch)}) is the {@code virt} board. Its own UART (PL011, {@code ttyAMA0}) carries the
 * kernel's console, but the stand-in init writes its report to {@code /dev/ttyS0} and to {@code /dev/console}, and
 * Talos' arm64 command line ends with {@code console=tty0} (so {@code /dev/console} is the invisible VT). The machine
 * therefore also gets a 16550 on PCI ({@code pci-serial}), which Debian's arm64 kernel (8250_pci built in) names
 * {@code ttyS0}: the report arrives there whatever the command line says, without touching the stand-in release
 * (whose bytes the golden artifacts pin). Both ports are read for the report.
 */
public final class Qemu {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(90);
    /**
     * AArch64 is emulated instruction by instruction (TCG on an x86 host): AAVMF plus kernel took 13–33 s on the
     * shared 2-core build machine; four times that leaves room for a slower CI runner.
     */
    public static final Duration ARM64_TIMEOUT = Duration.ofSeconds(240);
    static final String REPORT_MARKER = "FACTORY-REPORT ";
    /**
     * AAVMF under TCG now and then stops after its banner, before it starts any boot option (CI: about one run in
     * ten, the same bytes booting at once when run again). A normal start reaches its first boot option ("BdsDxe:
     * starting") 6 s after the banner on the 2-core machine; still nothing after this long is that hang, not a boot
     * of ours, and the machine is started again once, with fresh variables. The boot itself is judged as before.
     */
    static final Duration FIRMWARE_STALL = Duration.ofSeconds(75);
    static final String FIRMWARE_BANNER = "UEFI firmware";
    static final String BOOT_OPTION_STARTED = "BdsDxe: starting";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Arch arch;
    private final List<String> args = new ArrayList<>();
    private Duration timeout = DEFAULT_TIMEOUT;
    private int memoryMib = 512;
    private Path serialLog;
    private int disks;
    /** The AAVMF variable store in use, when {@link #aavmf} was given: reset before a start after a firmware stall. */
    private Path aavmfVars;
    private Duration firmwareStall = FIRMWARE_STALL;

    private Qemu(Arch arch) {
        this.arch = arch;
    }

    /** An x86_64 machine (QEMU's default pc board, SeaBIOS unless {@link #uefi} is given) without boot media. */
    public static Qemu machine() {
        return new Qemu(Arch.AMD64);
    }

    /**
     * A machine of the architecture without boot media: amd64 as {@link #machine()}; arm64 the {@code virt} board
     * with a Cortex-A57 (the cheapest CPU model for TCG that Debian's kernel and AAVMF run on), no firmware until
     * {@link #aavmf} or {@link #uefi} (or {@code -kernel}) is given, and the report UART described above.
     */
    public static Qemu machine(Arch arch) {
        Qemu qemu = new Qemu(arch);
        if (arch == Arch.ARM64) {
            qemu.args("-machine", "virt", "-cpu", "cortex-a57");
        }
        return qemu;
    }

    /** Direct kernel boot (-kernel/-initrd/-append), the way the stand-in release's base artifacts are tested. */
    public static Qemu kernelBoot(Path kernel, Path initrd, String append) {
        return machine().args("-kernel", kernel.toString(), "-initrd", initrd.toString(), "-append", append);
    }

    /**
     * UEFI firmware as two pflash drives, e.g. OVMF_CODE_4M.fd (read-only) and a writable copy of OVMF_VARS_4M.fd
     * (SecureBoot variants work the same way; pass the .ms.fd/.secboot.fd files).
     */
    /** Firmware with SecureBoot enforced needs SMM-protected variable storage (q35, smm=on, secure pflash). */
    public Qemu secureBootMachine() {
        return args("-machine", "q35,smm=on", "-global", "driver=cfi.pflash01,property=secure,value=on");
    }

    /**
     * arm64 UEFI: AAVMF (qemu-efi-aarch64) with a fresh writable copy of its empty variable store in {@code dir}.
     * Both pflash images are 64 MiB, as the virt board wants them.
     */
    public Qemu aavmf(Path dir) {
        if (arch != Arch.ARM64) {
            throw new IllegalStateException("AAVMF is arm64 firmware; use uefi(Ovmf.CODE, vars) for amd64");
        }
        try {
            aavmfVars = Files.copy(Aavmf.EMPTY_VARS, Files.createTempFile(dir, "aavmf-vars-", ".fd"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return uefi(Aavmf.CODE, aavmfVars);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Qemu uefi(Path code, Path writableVars) {
        return args("-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + code,
                "-drive", "if=pflash,format=raw,unit=1,file=" + writableVars);
    }

    /** A disk (format: raw, qcow2, vmdk, ...) on virtio. */
    public Qemu drive(Path image, String format) {
        return args("-drive", "if=virtio,format=" + format + ",file=" + image);
    }

    /**
     * A disk on virtio that several guests may boot at once: {@code snapshot=on} opens the image read-only and sends
     * the guest's writes to a temporary overlay, so the image is not locked for writing nor changed.
     */
    public Qemu sharedDrive(Path image, String format) {
        return args("-drive", "if=virtio,format=" + format + ",snapshot=on,file=" + image);
    }

    /**
     * Runs the machines at once, each on a thread of its own (a TCG guest keeps one core busy, and the build
     * machine has two), and returns their reports in order; the first failure is thrown once all have ended.
     */
    public static List<JsonNode> runTogether(Qemu... machines) {
        List<CompletableFuture<JsonNode>> runs = new ArrayList<>();
        for (Qemu machine : machines) {
            runs.add(CompletableFuture.supplyAsync(machine::run, runnable -> {
                Thread thread = new Thread(runnable, "qemu-together");
                thread.setDaemon(true);
                thread.start();
            }));
        }
        CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new))
                .exceptionally(failure -> null).join();
        List<JsonNode> reports = new ArrayList<>();
        for (CompletableFuture<JsonNode> run : runs) {
            try {
                reports.add(run.join());
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                throw e;
            }
        }
        return reports;
    }

    /**
     * A disk on virtio-blk whose guest-visible logical and physical block size is 4096 bytes (a 4Kn disk, as
     * {@code customization.diskImage.sectorSize: 4096} images are made for). Needs the explicit device form:
     * {@code -drive if=virtio} cannot set block sizes. Works with SeaBIOS, OVMF and AAVMF alike.
     */
    public Qemu drive4k(Path image, String format) {
        String id = "disk4k" + disks++;
        return args("-drive", "if=none,id=" + id + ",format=" + format + ",file=" + image,
                "-device", "virtio-blk-pci,drive=" + id + ",logical_block_size=4096,physical_block_size=4096");
    }

    /** An ISO as a CD-ROM: QEMU's default IDE CD on amd64; on arm64 (no IDE on virt) a SCSI CD on virtio-scsi. */
    public Qemu cdrom(Path iso) {
        if (arch == Arch.ARM64) {
            String id = "cd" + disks++;
            return args("-drive", "if=none,id=" + id + ",media=cdrom,readonly=on,format=raw,file=" + iso,
                    "-device", "virtio-scsi-pci,id=scsi" + id, "-device", "scsi-cd,bus=scsi" + id + ".0,drive=" + id);
        }
        return args("-cdrom", iso.toString());
    }

    /** How long AAVMF may stay after its banner without starting a boot option ({@link #FIRMWARE_STALL}). */
    Qemu firmwareStall(Duration stall) {
        this.firmwareStall = stall;
        return this;
    }

    /** Any further QEMU arguments, appended in order. */
    public Qemu args(String... more) {
        args.addAll(Arrays.asList(more));
        return this;
    }

    /** Guest RAM in MiB (default 512): a real-size initramfs is unpacked into it. */
    public Qemu memory(int mib) {
        this.memoryMib = mib;
        return this;
    }

    public Qemu timeout(Duration limit) {
        this.timeout = limit;
        return this;
    }

    /** Where the serial port is written (default: a temporary file, deleted after a successful run). */
    public Qemu serialLog(Path file) {
        this.serialLog = file;
        return this;
    }

    public List<String> command(Path log) {
        List<String> command = new ArrayList<>(List.of(binary(), "-accel", "tcg", "-m", Integer.toString(memoryMib), "-nographic",
                "-no-reboot", "-monitor", "none", "-serial", "file:" + log));
        if (arch == Arch.ARM64) {
            command.addAll(List.of("-chardev", "file,id=reportuart,path=" + reportUartLog(log),
                    "-device", "pci-serial,chardev=reportuart"));
        }
        command.addAll(args);
        return command;
    }

    /** arm64: where the PCI 16550 ({@code ttyS0} in the guest) is written, next to the serial log. */
    static Path reportUartLog(Path log) {
        return log.resolveSibling(log.getFileName() + ".ttyS0");
    }

    /** What the machine wrote: the serial log, and on arm64 the report UART's log before it. */
    private String serialText(Path log) throws IOException {
        String serial = Files.readString(log, StandardCharsets.ISO_8859_1);
        Path uart = reportUartLog(log);
        if (arch == Arch.ARM64 && Files.exists(uart)) {
            serial = Files.readString(uart, StandardCharsets.ISO_8859_1) + "\n" + serial;
        }
        return serial;
    }

    private void deleteLogs(Path log) throws IOException {
        Files.deleteIfExists(log);
        Files.deleteIfExists(reportUartLog(log));
    }

    /**
     * Boots a machine that must NOT reach the stand-in init (e.g. firmware refusing a tampered image): runs until
     * QEMU exits or the timeout, fails if a report appears, and returns the serial log for the caller to inspect.
     */
    public String runExpectingNoReport() {
        try {
            Path log = serialLog != null ? serialLog : Files.createTempFile("qemu-serial-", ".log");
            Process process = new ProcessBuilder(command(log))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String serial = serialText(log);
            if (reportJson(serial).isPresent()) {
                throw new AssertionError("the machine booted to the report although it must not:\n" + tail(serial, 20));
            }
            return serial;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while QEMU was running", e);
        }
    }

    /** Boots, waits for the machine to power off, and returns the report; fails with the log tail otherwise. */
    public JsonNode run() {
        try {
            return boot();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while QEMU was running", e);
        }
    }

    private JsonNode boot() throws IOException, InterruptedException {
        Path log = serialLog != null ? serialLog : Files.createTempFile("qemu-serial-", ".log");
        Path output = Files.createTempFile("qemu-output-", ".log");
        Process process = start(log, output);
        boolean exited = awaitExit(process, log, aavmfVars != null);
        String stalled = exited || aavmfVars == null ? null : serialText(log);
        if (stalled != null && firmwareStalled(stalled)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            System.err.println("Qemu: AAVMF stopped after its banner for " + firmwareStall.toSeconds()
                    + " s without starting a boot option; starting the machine again once. Serial log was:\n"
                    + tail(stalled, 10));
            Files.copy(Aavmf.EMPTY_VARS, aavmfVars, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            process = start(log, output);
            exited = awaitExit(process, log, false);
        }
        if (!exited) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String serial = serialText(log);
        String qemuOutput = Files.readString(output, StandardCharsets.UTF_8);
        Files.deleteIfExists(output);
        Optional<String> report = reportJson(serial);
        if (report.isEmpty()) {
            throw new AssertionError((exited ? "QEMU exited with " + process.exitValue() + " without a report"
                    : "no report within " + timeout.toSeconds() + " s, QEMU killed")
                    + "\ncommand: " + command(log) + "\nQEMU output:\n" + tail(qemuOutput, 20)
                    + "\nserial log " + log + " ends with:\n" + tail(serial, 60));
        }
        JsonNode parsed;
        try {
            parsed = JSON.readTree(report.get().getBytes(StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            throw new AssertionError("report is not JSON: " + report.get() + "\nserial log: " + log, e);
        }
        if (serialLog == null) {
            deleteLogs(log);
        }
        return parsed;
    }

    private Process start(Path log, Path output) throws IOException {
        Files.deleteIfExists(log); // a start again after a firmware stall begins with empty logs
        Files.deleteIfExists(reportUartLog(log));
        return new ProcessBuilder(command(log))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
    }

    /**
     * Waits for QEMU to exit within the timeout; with {@code watchFirmware}, returns early (false) once the firmware
     * has stalled after its banner for {@link #FIRMWARE_STALL}.
     */
    private boolean awaitExit(Process process, Path log, boolean watchFirmware)
            throws IOException, InterruptedException {
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            if (process.waitFor(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS)) {
                return true;
            }
            if (watchFirmware && System.nanoTime() - started >= firmwareStall.toNanos()
                    && firmwareStalled(serialText(log))) {
                return false;
            }
        }
    }

    /** The firmware printed its banner and has not started a boot option. */
    static boolean firmwareStalled(String serial) {
        return serial.contains(FIRMWARE_BANNER) && !serial.contains(BOOT_OPTION_STARTED);
    }

    /** The JSON of the first report line in a serial log (bytes as ISO-8859-1, so UTF-8 survives re-encoding). */
    static Optional<String> reportJson(String serial) {
        int at = serial.indexOf(REPORT_MARKER);
        if (at < 0) {
            return Optional.empty();
        }
        int end = serial.indexOf('\n', at);
        String line = serial.substring(at + REPORT_MARKER.length(), end < 0 ? serial.length() : end);
        return Optional.of(line.strip());
    }

    private String binary() {
        String name = arch == Arch.ARM64 ? System.getProperty("qemu.binary.arm64", "qemu-system-aarch64")
                : System.getProperty("qemu.binary", "qemu-system-x86_64");
        if (name.contains("/")) {
            return name;
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        throw new AssertionError(name + " is not on the PATH: the boot tests need QEMU "
                + "(Debian: apt-get install " + (arch == Arch.ARM64 ? "qemu-system-arm" : "qemu-system-x86")
                + "; .ci/run installs it)");
    }

    private static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
