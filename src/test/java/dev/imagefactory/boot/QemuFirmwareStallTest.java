package dev.imagefactory.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagefactory.model.Arch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Qemu}'s answer to AAVMF stopping after its banner, against a stand-in for qemu-system-aarch64 (a script that
 * writes what the firmware would to the serial file): one start again, and only for that stall.
 */
class QemuFirmwareStallTest {

    @TempDir
    Path tmp;

    @BeforeEach
    void needsAavmf() {
        assumeTrue(Files.exists(Aavmf.EMPTY_VARS), "needs AAVMF's variable store (qemu-efi-aarch64)");
    }

    @AfterEach
    void restoreBinary() {
        System.clearProperty("qemu.binary.arm64");
    }

    private void fakeQemu(String script) throws Exception {
        Path qemu = tmp.resolve("qemu-system-aarch64");
        Files.writeString(qemu, """
                #!/bin/bash
                serial=
                while [ $# -gt 0 ]; do [ "$1" = -serial ] && serial=${2#file:}; shift; done
                starts=%s
                n=$(( $(cat "$starts" 2>/dev/null || echo 0) + 1 )); echo $n > "$starts"
                %s
                """.formatted(tmp.resolve("starts"), script));
        Files.setPosixFilePermissions(qemu, PosixFilePermissions.fromString("rwx------"));
        System.setProperty("qemu.binary.arm64", qemu.toString());
    }

    /** An AAVMF machine run by the stand-in, with a short stall bound and timeout. */
    private Qemu machine(Duration stall, Duration timeout) {
        return Qemu.machine(Arch.ARM64).aavmf(tmp).firmwareStall(stall).timeout(timeout);
    }

    private int starts() throws Exception {
        return Integer.parseInt(Files.readString(tmp.resolve("starts")).strip());
    }

    @Test
    void aFirmwareThatStallsAfterItsBannerIsStartedAgainOnce() throws Exception {
        fakeQemu("""
                printf 'UEFI firmware (version test)\\n' > "$serial"
                [ "$n" = 1 ] && exec sleep 60
                printf 'BdsDxe: starting Boot0001\\nFACTORY-REPORT {"booted": true}\\n' >> "$serial"
                """);
        JsonNode report = machine(Duration.ofSeconds(2), Duration.ofSeconds(30)).run();
        assertTrue(report.get("booted").asBoolean());
        assertEquals(2, starts());
    }

    @Test
    void aSecondStallFailsTheBoot() throws Exception {
        fakeQemu("""
                printf 'UEFI firmware (version test)\\n' > "$serial"
                exec sleep 60
                """);
        AssertionError failure = assertThrows(AssertionError.class,
                () -> machine(Duration.ofSeconds(2), Duration.ofSeconds(5)).run());
        assertTrue(failure.getMessage().contains("no report within 5 s"), failure.getMessage());
        assertEquals(2, starts());
    }

    @Test
    void aBootThatStartedItsBootOptionIsNeverStartedAgain() throws Exception {
        fakeQemu("""
                printf 'UEFI firmware (version test)\\nBdsDxe: starting Boot0001\\n' > "$serial"
                exec sleep 60
                """);
        assertThrows(AssertionError.class, () -> machine(Duration.ofSeconds(1), Duration.ofSeconds(4)).run());
        assertEquals(1, starts(), "a slow boot of ours is judged, not retried");
        assertFalse(Qemu.firmwareStalled("UEFI firmware\nBdsDxe: starting Boot0001"));
    }
}
