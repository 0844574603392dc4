package dev.imagefactory.catalog;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.config.FactoryConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code factory.releases.*} keys as Quarkus reads them (with its duration converter), and the choice of source. */
class ReleaseSourceProducerTest {

    static FactoryConfig config(Map<String, String> properties) {
        Map<String, String> all = new HashMap<>(properties);
        all.putIfAbsent("factory.data-dir", "target/producer-test-data");
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(FactoryConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withConverter(MemorySize.class, 200, new MemorySizeConverter())
                .withSources(new PropertiesConfigSource(all, "test", 500))
                .build();
        return config.getConfigMapping(FactoryConfig.class);
    }

    @Test
    void theDirectorySourceIsTheDefault() {
        assertInstanceOf(DirectoryReleaseSource.class, new ReleaseSourceProducer().releaseSource(config(Map.of())));
    }

    @Test
    void theOciSourceDefaultsToUpstreamsImages() {
        FactoryConfig config = config(Map.of("factory.releases.source", "oci"));
        assertInstanceOf(OciReleaseSource.class, new ReleaseSourceProducer().releaseSource(config));
        OciReleaseSource.Settings settings = ReleaseSourceProducer.ociSettings(config.releases().oci());
        assertEquals("ghcr.io", settings.registry().host());
        assertEquals(false, settings.registry().insecure());
        assertTrue(settings.registry().credentials().isEmpty());
        assertEquals("siderolabs/imager", settings.imager());
        assertEquals("siderolabs/extensions", settings.extensions());
        assertEquals("siderolabs/overlays", settings.overlays());
        assertEquals("siderolabs/installer-base", settings.installerBase());
        assertEquals("siderolabs/installer", settings.installer());
        assertEquals("siderolabs/talosctl-all", settings.talosctl());
        assertEquals(Duration.ofMinutes(15), settings.recheckInterval());
    }

    @Test
    void everyOciKeyIsRead() {
        Map<String, String> keys = new HashMap<>(Map.of(
                "factory.releases.source", "OCI",
                "factory.releases.oci.registry", "registry.local:5000",
                "factory.releases.oci.insecure", "true",
                "factory.releases.oci.username", "factory",
                "factory.releases.oci.password", "secret",
                "factory.releases.oci.imager", "mirror/imager",
                "factory.releases.oci.extensions", "mirror/extensions",
                "factory.releases.oci.overlays", "mirror/overlays",
                "factory.releases.oci.recheck-interval", "90s"));
        keys.put("factory.releases.oci.installer-base", "mirror/installer-base");
        keys.put("factory.releases.oci.installer", "mirror/installer");
        keys.put("factory.releases.oci.talosctl", "mirror/talosctl-all");
        FactoryConfig config = config(keys);
        OciReleaseSource.Settings settings = ReleaseSourceProducer.ociSettings(config.releases().oci());
        assertEquals("registry.local:5000", settings.registry().host());
        assertTrue(settings.registry().insecure());
        assertEquals("factory", settings.registry().credentials().orElseThrow().username());
        assertEquals("mirror/imager", settings.imager());
        assertEquals("mirror/extensions", settings.extensions());
        assertEquals("mirror/overlays", settings.overlays());
        assertEquals("mirror/installer-base", settings.installerBase());
        assertEquals("mirror/installer", settings.installer());
        assertEquals("mirror/talosctl-all", settings.talosctl());
        assertEquals(Duration.ofSeconds(90), settings.recheckInterval());
    }

    @Test
    void aUserNameWithoutPasswordIsRefused() {
        FactoryConfig config = config(Map.of("factory.releases.oci.username", "factory"));
        assertThrows(IllegalArgumentException.class, () -> ReleaseSourceProducer.ociSettings(config.releases().oci()));
    }

    @Test
    void noExtraExtensionsUnlessConfigured() {
        FactoryConfig config = config(Map.of("factory.releases.source", "oci"));
        assertTrue(ReleaseSourceProducer.withExtra(ReleaseSourceProducer.ociSettings(config.releases().oci()),
                config.extensions().extra()).extra().isEmpty());
    }

    @Test
    void theExtraManifestDefaultsToTheReleaseRegistryWithItsSettings() {
        FactoryConfig config = config(Map.of(
                "factory.releases.source", "oci",
                "factory.releases.oci.registry", "registry.local:5000",
                "factory.releases.oci.insecure", "true",
                "factory.extensions.extra.repository", "acme/extensions"));
        OciReleaseSource.Settings settings = ReleaseSourceProducer.withExtra(
                ReleaseSourceProducer.ociSettings(config.releases().oci()), config.extensions().extra());
        OciReleaseSource.ExtraManifest extra = settings.extra().orElseThrow();
        assertEquals("acme/extensions", extra.repository());
        assertEquals(settings.registry(), extra.registry());
    }

    @Test
    void everyExtraKeyIsRead() {
        FactoryConfig config = config(Map.of(
                "factory.releases.source", "oci",
                "factory.extensions.extra.repository", "acme/talos/extensions",
                "factory.extensions.extra.registry", "registry.acme.example:5443",
                "factory.extensions.extra.insecure", "true",
                "factory.extensions.extra.username", "acme",
                "factory.extensions.extra.password", "secret"));
        OciReleaseSource.ExtraManifest extra = ReleaseSourceProducer.withExtra(
                ReleaseSourceProducer.ociSettings(config.releases().oci()), config.extensions().extra()).extra().orElseThrow();
        assertEquals("acme/talos/extensions", extra.repository());
        assertEquals("registry.acme.example:5443", extra.registry().host());
        assertTrue(extra.registry().insecure());
        assertEquals("acme", extra.registry().credentials().orElseThrow().username());
        assertEquals("secret", extra.registry().credentials().orElseThrow().password());
    }

    @Test
    void extraSettingsThatCannotWorkAreRefusedNamingTheSetting() {
        Map<Map<String, String>, String> refused = Map.of(
                Map.of("factory.extensions.extra.repository", "Acme/Extensions"), "factory.extensions.extra.repository",
                Map.of("factory.extensions.extra.repository", "ghcr.io/acme/extensions:v1"),
                "factory.extensions.extra.repository",
                Map.of("factory.extensions.extra.username", "acme"), "factory.extensions.extra.username",
                Map.of("factory.extensions.extra.folder", "../elsewhere"), "factory.extensions.extra.folder",
                Map.of("factory.extensions.extra.folder", "/srv/extra"), "factory.extensions.extra.folder",
                Map.of("factory.extensions.extra.folder", "a/./b"), "factory.extensions.extra.folder");
        refused.forEach((keys, setting) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ReleaseSourceProducer.check(config(keys).extensions().extra()), keys.toString());
            assertTrue(e.getMessage().startsWith(setting), e.getMessage());
        });
        ReleaseSourceProducer.check(config(Map.of("factory.extensions.extra.folder", "extra-extensions",
                "factory.extensions.extra.repository", "acme/extensions")).extensions().extra());
    }
}
