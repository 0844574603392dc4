package dev.imagefactory.build.uki;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A named PE section to append to the stub. The name is at most 8 ASCII bytes, because the assembler writes names
 * into the section header itself and never into a COFF string table (which UKIs do not have).
 */
public record Section(String name, SectionContent content) {

    public Section {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(content, "content");
        if (name.isEmpty() || name.length() > 8 || !StandardCharsets.US_ASCII.newEncoder().canEncode(name)
                || name.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw new IllegalArgumentException("PE section name must be 1 to 8 printable ASCII characters: '" + name + "'");
        }
    }

    public static Section of(String name, String text) {
        return new Section(name, SectionContent.of(text));
    }

    public static Section of(String name, byte[] bytes) {
        return new Section(name, SectionContent.of(bytes));
    }

    public static Section ofFile(String name, Path file) throws IOException {
        return new Section(name, SectionContent.ofFile(file));
    }

    public long size() {
        return content.size();
    }
}
