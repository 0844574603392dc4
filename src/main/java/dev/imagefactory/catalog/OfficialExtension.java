package dev.imagefactory.catalog;

import java.util.Objects;

/**
 * One official system extension of a Talos version. Its identity is the repository path of {@code ref}
 * ({@code siderolabs/intel-ucode}), which is what schematics name. Unknown texts are empty, never null, because the
 * wire format always carries every field.
 */
public record OfficialExtension(ImageRef ref, String digest, String author, String description) {

    public OfficialExtension {
        Objects.requireNonNull(ref, "ref");
        digest = Objects.requireNonNullElse(digest, "");
        author = Objects.requireNonNullElse(author, "");
        description = Objects.requireNonNullElse(description, "");
    }

    public String name() {
        return ref.repository();
    }

    /** This entry, with author and description taken from {@code fallback} where this one has none. */
    OfficialExtension describedBy(OfficialExtension fallback) {
        return new OfficialExtension(ref, digest,
                author.isEmpty() ? fallback.author : author,
                description.isEmpty() ? fallback.description : description);
    }
}
