package dev.imagefactory.build.disk;

import java.util.UUID;

/** One partition to lay out, in disk order. sizeBytes 0 = the rest of the disk (largest free range). */
public record PartitionRequest(String label, UUID type, long sizeBytes, long attributes) {
}
