package dev.imagefactory.secureboot;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Run in a JVM with a heap far smaller than its inputs (see {@link StreamingTest}): computes a .pcrsig over a
 * large .initrd and Authenticode-signs a PE with a large tail. Loading either whole would fail with OutOfMemoryError.
 * Arguments: work directory, key directory, a PE image, size in MiB.
 */
public final class StreamingProbe {

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        Path keys = Path.of(args[1]);
        Path pe = Path.of(args[2]);
        int mib = Integer.parseInt(args[3]);
        Path initrd = work.resolve("initrd");
        Path bigPe = work.resolve("big.efi");
        byte[] chunk = new byte[1 << 20];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (byte) (i * 131 + (i >>> 9));
        }
        Files.copy(pe, bigPe);
        try (OutputStream a = Files.newOutputStream(initrd);
                OutputStream b = Files.newOutputStream(bigPe, java.nio.file.StandardOpenOption.APPEND)) {
            for (int i = 0; i < mib; i++) {
                a.write(chunk);
                b.write(chunk);
            }
        }
        SigningMaterial material = SigningMaterial.fromFiles(keys.resolve(DevelopmentKeys.SIGNING_KEY),
                keys.resolve(DevelopmentKeys.SIGNING_CERT), keys.resolve(DevelopmentKeys.PCR_KEY));
        String json = PcrSignature.json(Map.of(
                ".linux", PcrSignature.Section.ofBytes(".linux", "k".getBytes(StandardCharsets.US_ASCII)),
                ".initrd", PcrSignature.Section.ofFile(".initrd", initrd)), material.pcrKey());
        PeSigner.sign(bigPe, work.resolve("big.efi.signed"), material);
        System.out.println("maxMemory=" + Runtime.getRuntime().maxMemory() + " pcrsig=" + json.length());
    }
}
