package dev.imagefactory.cache;

import java.io.IOException;

/**
 * A stored artifact's bytes do not match its recorded size or digest. The store has already removed it, so the
 * next request builds it again.
 */
public class DamagedArtifactException extends IOException {

    public DamagedArtifactException(String message) {
        super(message);
    }
}
