package dev.imagefactory.schematic;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * What a user asked for (the reference's {@code pkg/schematic} model). Field order is part of the canonical
 * form; see {@link SchematicCodec}. Empty strings, lists and zero numbers mean "not set".
 */
public record Schematic(String owner, Overlay overlay, Customization customization) {

    public record Overlay(String image, String name, Map<Object, Object> options) {
    }

    public record Customization(
            String embeddedMachineConfiguration,
            List<String> extraKernelArgs,
            List<MetaValue> meta,
            List<String> officialExtensions,
            Bootloader bootloader,
            SecureBoot secureBoot,
            BigInteger diskImageSectorSize) {
    }

    /** One initial META partition value: key 0..255 and its text. */
    public record MetaValue(int key, String value) {
    }

    public record SecureBoot(String enrollKeys, boolean includeWellKnownCertificates) {
    }
}
