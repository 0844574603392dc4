package dev.imagefactory.boot;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A golden file: sorted {@code key<TAB>value} lines, {@code #} comments. Keys under {@code input/} and {@code tool/}
 * describe what the recorded values were made from (the stand-in release, the test keys, tool versions); they are
 * context, not part of the comparison: {@link #diff} compares every other key and, when something differs, names
 * the context that differs too, as the likely cause.
 */
final class GoldenFile {

    static final String INPUT = "input/";
    static final String TOOL = "tool/";

    private final SortedMap<String, String> entries;

    GoldenFile(Map<String, String> entries) {
        this.entries = new TreeMap<>(entries);
    }

    SortedMap<String, String> entries() {
        return entries;
    }

    /** Reads a classpath resource; an absent one reads as empty (nothing recorded yet). */
    static GoldenFile readResource(String resource) throws IOException {
        try (InputStream in = GoldenFile.class.getResourceAsStream(resource)) {
            return in == null ? new GoldenFile(Map.of()) : read(in, resource);
        }
    }

    static GoldenFile read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        }
    }

    private static GoldenFile read(InputStream in, String where) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        int number = 0;
        while ((line = reader.readLine()) != null) {
            number++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int tab = line.indexOf('\t');
            if (tab <= 0 || entries.put(line.substring(0, tab), line.substring(tab + 1)) != null) {
                throw new IllegalStateException(where + ":" + number + ": not a unique key<TAB>value line: " + line);
            }
        }
        return new GoldenFile(entries);
    }

    /** Writes the file atomically (temp file, then rename), the header as {@code #} comment lines first. */
    void write(Path file, List<String> header) throws IOException {
        StringBuilder text = new StringBuilder();
        header.forEach(h -> text.append("# ").append(h).append('\n'));
        entries.forEach((k, v) -> text.append(k).append('\t').append(v).append('\n'));
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * What differs from {@code expected} (this file is what was measured), one line per key, diff-like: {@code ~} changed,
     * {@code +} appeared, {@code -} vanished; empty when every compared key matches. Context keys are listed
     * only when something compared differs.
     */
    List<String> diff(GoldenFile expected) {
        List<String> compared = lines(expected, false);
        if (compared.isEmpty()) {
            return compared;
        }
        List<String> out = new ArrayList<>(compared);
        List<String> context = lines(expected, true);
        if (!context.isEmpty()) {
            out.add("inputs and tools that differ from the recording (a likely cause):");
            out.addAll(context);
        }
        return out;
    }

    private List<String> lines(GoldenFile expected, boolean context) {
        TreeSet<String> keys = new TreeSet<>(expected.entries.keySet());
        keys.addAll(entries.keySet());
        List<String> out = new ArrayList<>();
        for (String key : keys) {
            if (isContext(key) != context) {
                continue;
            }
            String was = expected.entries.get(key);
            String now = entries.get(key);
            if (was == null) {
                out.add("+ " + key + "  " + now + "  (appeared)");
            } else if (now == null) {
                out.add("- " + key + "  " + was + "  (vanished)");
            } else if (!Objects.equals(was, now)) {
                out.add("~ " + key + "  " + was + " -> " + now);
            }
        }
        return out;
    }

    static boolean isContext(String key) {
        return key.startsWith(INPUT) || key.startsWith(TOOL);
    }
}
