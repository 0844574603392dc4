package dev.imagefactory.build.disk;

import java.util.UUID;

/** One laid-out partition: LBAs in sectors of the table's sector size, inclusive lastLba. */
public record GptPartition(String label, UUID type, UUID guid, long firstLba, long lastLba, long attributes) {

    public long offsetBytes(int sectorSize) {
        return firstLba * sectorSize;
    }

    public long sizeBytes(int sectorSize) {
        return (lastLba - firstLba + 1) * sectorSize;
    }
}
