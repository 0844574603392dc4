package dev.imagefactory.schematic;

import dev.imagefactory.model.SchematicId;

import dev.imagefactory.cache.s3.S3Bucket;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Schematics in the shared bucket as {@code schematics/<id>.yaml}, so one written through any replica is readable
 * through every other at once (S3 reads after a completed write are strongly consistent). Written with
 * {@code If-None-Match: *}; a race between two writers is harmless since the content is the ID's preimage.
 * Reads check the content against the ID; S3 failures become 503 ({@code StorageUnavailableException}).
 */
public class S3SchematicStore implements SchematicStore {

    private static final Logger LOG = Logger.getLogger(S3SchematicStore.class);
    static final String PREFIX = "schematics/";

    private final S3Bucket bucket;

    public S3SchematicStore(S3Bucket bucket) {
        this.bucket = bucket;
    }

    private static String objectName(SchematicId id) {
        return PREFIX + id.value() + ".yaml";
    }

    @Override
    public boolean put(SchematicId id, byte[] canonicalYaml) {
        return bucket.create(objectName(id), canonicalYaml);
    }

    @Override
    public Optional<byte[]> get(SchematicId id) {
        Optional<S3Bucket.Stored> stored = bucket.read(objectName(id));
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes = stored.get().bytes();
        if (!SchematicCodec.sha256Hex(bytes).equals(id.value())) {
            // Damaged: remove it so the same schematic can be created again.
            LOG.errorf("schematic %s in S3 does not match its content hash; deleting it", id);
            bucket.delete(objectName(id));
            return Optional.empty();
        }
        return Optional.of(bytes);
    }
}
