package dev.imagefactory.errors;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.util.Optional;

/**
 * Recognises local disk faults in an exception chain: Java's own I/O exceptions and the stderr of external tools
 * (mksquashfs, xorriso, xz...) both carry the C library's {@code strerror} text for {@code ENOSPC}, {@code EDQUOT} and
 * {@code EROFS} (tools run with {@code LC_ALL=C}); {@code EACCES} arrives as {@link AccessDeniedException}.
 */
public final class LocalStorageFaults {

    public static final String FULL = "local storage is full, retry later";
    public static final String READ_ONLY = "local storage is read-only, retry later";
    public static final String ACCESS_DENIED = "local storage refuses writes (permission denied), retry later";

    private LocalStorageFaults() {
    }

    /** The local storage fault behind {@code failure}, if it is one; the failure itself becomes the cause. */
    public static Optional<LocalStorageException> of(Throwable failure) {
        if (failure instanceof LocalStorageException known) {
            return Optional.of(known);
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof LocalStorageException known) {
                return Optional.of(known);
            }
            String reason = reason(t);
            if (reason != null) {
                return Optional.of(new LocalStorageException(reason, failure));
            }
        }
        return Optional.empty();
    }

    /** The one-line reason for a single exception, or null when it is not a disk fault. */
    static String reason(Throwable t) {
        if (t instanceof AccessDeniedException) {
            return ACCESS_DENIED;
        }
        String text = t instanceof FileSystemException fs && fs.getReason() != null ? fs.getReason() : t.getMessage();
        if (text == null) {
            return null;
        }
        if (text.contains("No space left on device") || text.contains("Disk quota exceeded")) {
            return FULL;
        }
        if (text.contains("Read-only file system")) {
            return READ_ONLY;
        }
        return null;
    }
}
