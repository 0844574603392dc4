package dev.imagefactory.secureboot;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.boot.EspImage;
import dev.imagefactory.boot.Ovmf;
import dev.imagefactory.boot.Qemu;
import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

/**
 * Real firmware accepts the {@code .auth} files: OVMF with SecureBoot support starts in setup mode (fresh
 * OVMF_VARS_4M.fd), systemd-boot ({@code secure-boot-enroll force}) writes db, KEK and PK from
 * {@code loader/keys/auto/}, and afterwards the firmware enforces SecureBoot with our certificate. A PK whose
 * signature is damaged is refused by the firmware.
 */
@Tag("slow")
class EnrollmentFirmwareTest {

    static final Path SYSTEMD_BOOT = Path.of("/usr/lib/systemd/boot/efi/systemd-bootx64.efi");
    /** Enrollment and the reset after it take a few seconds under TCG. */
    static final Duration ENROLL_TIMEOUT = Duration.ofSeconds(120);
    /** Boots that end at the firmware's prompt run until this limit. */
    static final Duration STUCK_TIMEOUT = Duration.ofSeconds(30);

    private final ProcessRunner tools = new ProcessRunner(Duration.ofMinutes(1));

    @Test
    void firmwareEnrollsTheKeysAndThenEnforcesSecureBoot(@TempDir Path tmp) throws Exception {
        SigningMaterial material = TestKeys.material();
        EnrollmentKeys keys = EnrollmentKeys.create(material, true);
        Path vars = Files.copy(Ovmf.EMPTY_VARS, tmp.resolve("vars.fd"));

        Path signedBoot = tmp.resolve("systemd-boot.signed.efi");
        PeSigner.sign(SYSTEMD_BOOT, signedBoot, material);
        Path esp = enrollingEsp(tmp.resolve("enroll.img"), signedBoot, keys.pk(), keys);
        String serial = machine(vars, esp, ENROLL_TIMEOUT, tmp.resolve("enroll.log")).runExpectingNoReport();
        assertTrue(serial.contains("Enrolling secure boot keys"), tail(serial));
        assertFalse(serial.contains("Failed to write"), tail(serial));

        // the variable store now holds the three signature databases exactly as we wrote them
        byte[] store = Files.readAllBytes(vars);
        for (byte[] esl : List.of(keys.dbList(), keys.kekList(), keys.pkList())) {
            assertTrue(KeyLeaks.indexOf(store, esl) >= 0, "signature list missing from the variable store");
        }

        // SecureBoot is on now: the same systemd-boot unsigned is refused
        Path unsigned = EspImage.withLoader(SYSTEMD_BOOT, tmp.resolve("unsigned.img"));
        String refused = machine(vars, unsigned, STUCK_TIMEOUT, tmp.resolve("unsigned.log")).runExpectingNoReport();
        assertTrue(refused.contains("Access Denied"), tail(refused));
    }

    @Test
    void firmwareRefusesAPlatformKeyWithADamagedSignature(@TempDir Path tmp) throws Exception {
        SigningMaterial material = TestKeys.material();
        EnrollmentKeys keys = EnrollmentKeys.create(material, false);
        byte[] pk = keys.pk();
        pk[pk.length - keys.pkList().length - 1] ^= 1; // last byte of the RSA signature
        Path vars = Files.copy(Ovmf.EMPTY_VARS, tmp.resolve("vars.fd"));
        Path signedBoot = tmp.resolve("systemd-boot.signed.efi");
        PeSigner.sign(SYSTEMD_BOOT, signedBoot, material);
        Path esp = enrollingEsp(tmp.resolve("enroll.img"), signedBoot, pk, keys);
        String serial = machine(vars, esp, STUCK_TIMEOUT, tmp.resolve("tampered.log")).runExpectingNoReport();
        assertTrue(serial.contains("Failed to write PK secure boot variable: Security Policy Violation"),
                tail(serial));
    }

    /** An ESP with {@code loader} as the removable-media loader, enrolment forced, and PK (as given), KEK, db. */
    private Path enrollingEsp(Path image, Path loader, byte[] pk, EnrollmentKeys keys) throws Exception {
        Path dir = Files.createDirectories(image.resolveSibling(image.getFileName() + ".d"));
        Path conf = dir.resolve("loader.conf");
        Files.writeString(conf, "timeout 0\nsecure-boot-enroll force\n");
        Files.write(dir.resolve(EnrollmentKeys.PK_FILE), pk);
        Files.write(dir.resolve(EnrollmentKeys.KEK_FILE), keys.kek());
        Files.write(dir.resolve(EnrollmentKeys.DB_FILE), keys.db());
        EspImage.withLoader(loader, image);
        String img = image.toString();
        tools.run(Command.of("mmd", "-i", img, "::/loader", "::/loader/keys", "::/loader/keys/auto"));
        tools.run(Command.of("mcopy", "-i", img, conf.toString(), "::/loader/loader.conf"));
        for (String name : List.of(EnrollmentKeys.PK_FILE, EnrollmentKeys.KEK_FILE, EnrollmentKeys.DB_FILE)) {
            tools.run(Command.of("mcopy", "-i", img, dir.resolve(name).toString(), "::/loader/keys/auto/" + name));
        }
        return image;
    }

    private static Qemu machine(Path vars, Path esp, Duration timeout, Path log) {
        return Qemu.machine().secureBootMachine().uefi(Ovmf.SECBOOT_CODE, vars).drive(esp, "raw").args("-net", "none")
                .timeout(timeout).serialLog(log);
    }

    private static String tail(String serial) {
        String clean = serial.replaceAll("\u001b\\[[0-9;=]*[A-Za-z]", "").replace("\r", "");
        return clean.length() > 3000 ? clean.substring(clean.length() - 3000) : clean;
    }
}
