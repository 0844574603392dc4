package dev.imagefactory.http;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.nio.file.Path;
import java.util.Map;

/** Points the release source and the catalogs at {@code src/test/resources/catalog-fixture}; v1.10.0 is broken. */
public class CatalogFixtureProfile implements QuarkusTestProfile {

    static final Path FIXTURE = Path.of("src/test/resources/catalog-fixture").toAbsolutePath();

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "factory.releases.dir", FIXTURE.resolve("releases").toString(),
                "factory.catalog.dir", FIXTURE.toString(),
                "factory.releases.broken-versions", "v1.10.0");
    }
}
