package dev.imagefactory.build;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.errors.NotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every step unit-tested through {@code plan()}, without tools or files (the way Talos tests its imager profiles):
 * the plans of every output for each schematic × version × arch × platform, written out with the plans they need,
 * compared with {@code golden/plans.txt}. A refusal is part of the golden text too. A change of a plan (and so of a
 * cache key) shows up here as a readable diff.
 *
 * <p>To re-record after an intended change: {@code -Dgolden.plans.record=true}, then review the diff.
 */
class GoldenPlansTest {

    static final Path GOLDEN = Path.of("src/test/resources/golden/plans.txt");
    static final Map<String, String> SCHEMATICS = Map.of(
            "empty", "customization: {}\n",
            "full", BuildPlanKeyTest.FULL.replace("  embeddedMachineConfiguration: \"machine: {}\"\n", ""),
            "grub", "customization:\n  bootloader: grub\n");
    static final List<String> VERSIONS = List.of("1.7.7", "1.11.0", "1.12.0");
    static final List<String> ARCHES = List.of("amd64", "arm64");

    static List<String> paths(String arch) {
        return List.of("kernel-" + arch, "cmdline-metal-" + arch, "cmdline-aws-" + arch, "cmdline-metal-" + arch
                        + "-secureboot", "initramfs-" + arch + ".xz", "metal-" + arch + "-uki.efi",
                "metal-" + arch + "-secureboot-uki.efi", "metal-" + arch + ".iso", "nocloud-" + arch + ".iso",
                "metal-" + arch + "-secureboot.iso", "installer-" + arch + ".tar", "aws-installer-" + arch + ".tar",
                "installer-" + arch + "-secureboot.tar", "metal-" + arch + ".raw", "metal-" + arch + ".raw.zst",
                "metal-" + arch + "-secureboot.raw.xz", "gcp-" + arch + ".raw.tar.gz", "vmware-" + arch + ".ova");
    }

    @Test
    void plansMatchTheGoldenFile() throws IOException {
        PlanFixture plans = new PlanFixture();
        StringBuilder text = new StringBuilder();
        for (String schematic : List.of("empty", "full", "grub")) {
            for (String version : VERSIONS) {
                for (String arch : ARCHES) {
                    for (String path : paths(arch)) {
                        text.append("## ").append(schematic).append(' ').append(version).append(' ').append(path)
                                .append('\n');
                        try {
                            write(plans.plan(SCHEMATICS.get(schematic), version, path), text);
                        } catch (InvalidInputException | NotFoundException e) {
                            text.append("refused: ").append(e.getMessage()).append('\n');
                        }
                    }
                }
            }
        }
        if (Boolean.getBoolean("golden.plans.record")) {
            Files.writeString(GOLDEN, text);
        }
        String golden;
        try (InputStream in = GoldenPlansTest.class.getResourceAsStream("/golden/plans.txt")) {
            golden = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!Boolean.getBoolean("golden.plans.record")) {
            assertEquals(golden, text.toString(), "plans differ from " + GOLDEN);
        }
    }

    /** The plan and every plan it needs (each once, in need order), each with its key. */
    private static void write(BuildPlan plan, StringBuilder text) {
        Set<BuildPlan> all = new LinkedHashSet<>();
        collect(plan, all);
        for (BuildPlan p : new ArrayList<>(all)) {
            text.append("key ").append(p.key().hex()).append(p.intermediate() ? " (intermediate " : " (output ")
                    .append(p.labels().outputKind()).append(")\n").append(p.canonical());
        }
    }

    private static void collect(BuildPlan plan, Set<BuildPlan> all) {
        if (all.add(plan)) {
            plan.needs().forEach(n -> collect(n, all));
        }
    }
}
