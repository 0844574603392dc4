package dev.imagefactory.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageRefTest {

    @Test
    void splitsRegistryRepositoryAndTag() {
        ImageRef ref = ImageRef.parse("ghcr.io/siderolabs/drbd:9.2.14-v1.11.2");
        assertEquals(new ImageRef("ghcr.io", "siderolabs/drbd", "9.2.14-v1.11.2"), ref);
        assertEquals("ghcr.io/siderolabs/drbd:9.2.14-v1.11.2", ref.toString());
    }

    @Test
    void readsRegistryPortsAndDefaultsLikeGoContainerRegistry() {
        assertEquals("127.0.0.1:5005/talos/extensions/iscsi-tools:v1.13.0",
                ImageRef.parse("127.0.0.1:5005/talos/extensions/iscsi-tools:v1.13.0").toString());
        assertEquals("localhost/siderolabs/x:latest", ImageRef.parse("localhost/siderolabs/x").toString());
        assertEquals("index.docker.io/siderolabs/x:1", ImageRef.parse("siderolabs/x:1").toString());
        assertEquals("index.docker.io/library/busybox:1", ImageRef.parse("docker.io/busybox:1").toString());
        assertEquals("siderolabs/x", ImageRef.parse("siderolabs/x:1").repository());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "ghcr.io/siderolabs/x:1@sha256:abc", "ghcr.io/Siderolabs/x:1", "ghcr.io/siderolabs/x:",
        "ghcr.io/siderolabs/x:-bad", "ghcr.io//x:1", "ghcr.io/x y:1"})
    void refusesMalformedReferences(String text) {
        assertTrue(ImageRef.tryParse(text).isEmpty(), text);
    }
}
