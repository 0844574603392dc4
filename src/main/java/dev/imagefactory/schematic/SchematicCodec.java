package dev.imagefactory.schematic;

import dev.imagefactory.model.SchematicId;

import dev.imagefactory.content.Digests;
import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.schematic.goyaml.DecodeLimits;
import dev.imagefactory.schematic.goyaml.GoDecoder;
import dev.imagefactory.schematic.goyaml.GoEncoder;
import dev.imagefactory.schematic.goyaml.GoType;
import dev.imagefactory.schematic.goyaml.GoType.Field;
import dev.imagefactory.schematic.goyaml.YamlComposer;
import dev.imagefactory.schematic.goyaml.YamlNode;
import dev.imagefactory.schematic.goyaml.YamlSyntaxException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Parses a schematic strictly (like the reference's {@code schematic.Unmarshal} with known fields) and
 * produces the canonical YAML ({@code yaml.Marshal}) whose SHA-256 is the schematic ID.
 */
public final class SchematicCodec {

    private static final GoType STR = new GoType.Str();

    private static final GoType.Struct META_VALUE = new GoType.Struct("schematic.MetaValue", List.of(
            new Field("key", new GoType.Uint(8, "uint8"), false),
            new Field("value", STR, false)));

    private static final GoType.Struct SYSTEM_EXTENSIONS = new GoType.Struct("schematic.SystemExtensions", List.of(
            new Field("officialExtensions", new GoType.Slice(STR), true)));

    private static final GoType.Struct SECURE_BOOT = new GoType.Struct("schematic.SecureBootCustomization", List.of(
            new Field("enrollKeys", STR, true),
            new Field("includeWellKnownCertificates", new GoType.Bool(), true)));

    private static final GoType.Struct DISK_IMAGE = new GoType.Struct("schematic.DiskImageCustomization", List.of(
            new Field("sectorSize", new GoType.Uint(64, "uint"), true)));

    private static final GoType.Text BOOTLOADER = new GoType.Text("imageropts.BootloaderKind",
            Bootloader::parse, b -> ((Bootloader) b).text(), Bootloader.NONE);

    private static final GoType.Struct CUSTOMIZATION = new GoType.Struct("schematic.Customization", List.of(
            new Field("embeddedMachineConfiguration", STR, true),
            new Field("extraKernelArgs", new GoType.Slice(STR), true),
            new Field("meta", new GoType.Slice(META_VALUE), true),
            new Field("systemExtensions", SYSTEM_EXTENSIONS, true),
            new Field("bootloader", BOOTLOADER, true),
            new Field("secureboot", SECURE_BOOT, true),
            new Field("diskImage", DISK_IMAGE, true)));

    private static final GoType.Struct OVERLAY = new GoType.Struct("schematic.Overlay", List.of(
            new Field("image", STR, false),
            new Field("name", STR, false),
            new Field("options", new GoType.StringAnyMap(), true)));

    private static final GoType.Struct SCHEMATIC = new GoType.Struct("schematic.Schematic", List.of(
            new Field("owner", STR, true),
            new Field("overlay", OVERLAY, true),
            new Field("customization", CUSTOMIZATION, false)));

    private SchematicCodec() {
    }

    /**
     * Parses a request body; throws {@link InvalidInputException} with a one-line reason for anything the
     * reference would refuse (syntax, unknown fields, wrong types, a non-empty owner, an empty body) and for
     * anything over the {@link SchematicLimits}, which are checked while decoding.
     */
    public static CanonicalSchematic parse(byte[] body) {
        CanonicalSchematic parsed = parseHere(body, SchematicLimits.REQUEST);
        checkRequestLimits(parsed);
        return parsed;
    }

    /**
     * Parses a stored schematic's canonical YAML. Only its size is bounded: what an earlier version accepted keeps
     * loading, up to go-yaml's own nesting limit of 10,000 levels.
     */
    public static CanonicalSchematic parseStored(byte[] canonicalYaml) {
        if (canonicalYaml.length > SchematicLimits.MAX_DOCUMENT_BYTES) {
            throw new InvalidInputException("stored schematic is " + canonicalYaml.length
                    + " bytes, over the 1 MiB limit; it cannot be used");
        }
        try {
            return parseHere(canonicalYaml, SchematicLimits.STORED);
        } catch (StackOverflowError e) {
            // go-yaml accepts up to 10,000 block and 10,000 flow levels; that much recursion does not fit a
            // default thread stack, so deep documents are parsed again on a thread with a large one.
            return parseOnLargeStack(canonicalYaml);
        }
    }

    private static CanonicalSchematic parseHere(byte[] body, DecodeLimits limits) {
        Map<String, Object> decoded;
        try {
            YamlNode root = YamlComposer.composeFirstDocument(body, limits);
            if (root == null) {
                throw new InvalidInputException("invalid schematic: EOF (the body holds no YAML document)");
            }
            decoded = asMap(GoDecoder.decode(root, SCHEMATIC, limits));
        } catch (YamlSyntaxException e) {
            // go-yaml's own text, as the reference answers it (e.g. "yaml: construct errors: line 1: field something
            // not found in type schematic.Schematic"): clients match on it
            throw new InvalidInputException(e.getMessage());
        }
        Schematic schematic = toSchematic(decoded);
        if (!schematic.owner().isEmpty()) {
            throw new InvalidInputException("invalid schematic: owner field is only supported in Enterprise edition");
        }
        byte[] canonical = GoEncoder.marshal(decoded, SCHEMATIC);
        return new CanonicalSchematic(new SchematicId(sha256Hex(canonical)), schematic, canonical);
    }

    /** The bounds that only new schematics must keep (see {@link SchematicLimits}). */
    private static void checkRequestLimits(CanonicalSchematic parsed) {
        if (parsed.canonicalYaml().length > SchematicLimits.MAX_DOCUMENT_BYTES) {
            throw new InvalidInputException("invalid schematic: its canonical YAML is " + parsed.canonicalYaml().length
                    + " bytes, over the 1 MiB limit");
        }
        Schematic.Customization c = parsed.schematic().customization();
        requireAtMost(c.officialExtensions().size(), SchematicLimits.MAX_EXTENSIONS,
                "customization.systemExtensions.officialExtensions");
        requireAtMost(c.meta().size(), SchematicLimits.MAX_META_VALUES, "customization.meta");
        requireAtMost(c.extraKernelArgs().size(), SchematicLimits.MAX_KERNEL_ARGS, "customization.extraKernelArgs");
    }

    private static void requireAtMost(int count, int limit, String field) {
        if (count > limit) {
            throw new InvalidInputException("invalid schematic: " + field + " has " + count + " entries; at most "
                    + limit + " are accepted");
        }
    }

    private static final long LARGE_STACK_BYTES = 64L << 20;

    private static CanonicalSchematic parseOnLargeStack(byte[] body) {
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread worker = new Thread(null, () -> {
            try {
                outcome.set(parseHere(body, SchematicLimits.STORED));
            } catch (RuntimeException | StackOverflowError e) {
                outcome.set(e);
            }
        }, "schematic-deep-parse", LARGE_STACK_BYTES);
        worker.start();
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while parsing a deeply nested schematic", e);
        }
        Object result = outcome.get();
        if (result instanceof CanonicalSchematic c) {
            return c;
        }
        if (result instanceof RuntimeException e) {
            throw e;
        }
        throw new InvalidInputException("invalid schematic: the document is nested too deeply");
    }

    static String sha256Hex(byte[] bytes) {
        return Digests.sha256(bytes).hex();
    }

    private static Schematic toSchematic(Map<String, Object> s) {
        Map<String, Object> overlay = asMap(s.get("overlay"));
        Map<String, Object> c = asMap(s.get("customization"));
        Map<String, Object> sb = asMap(c.get("secureboot"));
        Map<String, Object> disk = asMap(c.get("diskImage"));
        List<Schematic.MetaValue> meta = new ArrayList<>();
        for (Object item : list(c.get("meta"))) {
            Map<String, Object> m = asMap(item);
            BigInteger key = (BigInteger) m.get("key");
            meta.add(new Schematic.MetaValue(key == null ? 0 : key.intValue(), text(m.get("value"))));
        }
        @SuppressWarnings("unchecked")
        Map<Object, Object> options = overlay.get("options") == null
                ? Map.of() : (Map<Object, Object>) overlay.get("options");
        Bootloader bootloader = c.get("bootloader") == null ? Bootloader.NONE : (Bootloader) c.get("bootloader");
        BigInteger sectorSize = disk.get("sectorSize") == null ? BigInteger.ZERO : (BigInteger) disk.get("sectorSize");
        return new Schematic(
                text(s.get("owner")),
                new Schematic.Overlay(text(overlay.get("image")), text(overlay.get("name")), options),
                new Schematic.Customization(
                        text(c.get("embeddedMachineConfiguration")),
                        texts(c.get("extraKernelArgs")),
                        List.copyOf(meta),
                        texts(asMap(c.get("systemExtensions")).get("officialExtensions")),
                        bootloader,
                        new Schematic.SecureBoot(text(sb.get("enrollKeys")), Boolean.TRUE.equals(sb.get("includeWellKnownCertificates"))),
                        sectorSize));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object v) {
        return v == null ? new LinkedHashMap<>() : (Map<String, Object>) v;
    }

    private static List<?> list(Object v) {
        return v == null ? List.of() : (List<?>) v;
    }

    private static String text(Object v) {
        return v == null ? "" : v.toString();
    }

    private static List<String> texts(Object v) {
        List<String> out = new ArrayList<>();
        for (Object o : list(v)) {
            out.add(text(o));
        }
        return List.copyOf(out);
    }
}
