package dev.imagefactory.content;

import dev.imagefactory.model.Digest;
import java.util.Objects;

/** What content-addresses a run of bytes: its digest and its length. */
public record BlobDescriptor(Digest digest, long size) {

    public BlobDescriptor {
        Objects.requireNonNull(digest, "digest");
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
    }
}
