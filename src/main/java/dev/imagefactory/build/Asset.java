package dev.imagefactory.build;

import dev.imagefactory.cache.CachedArtifact;

/** A built (or cached) artifact with the name and media type it is served under. */
public record Asset(CachedArtifact artifact, String filename, String contentType) {
}
