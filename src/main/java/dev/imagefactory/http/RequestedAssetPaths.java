package dev.imagefactory.http;

import dev.imagefactory.build.AssetPath;
import dev.imagefactory.build.AssetService;
import dev.imagefactory.errors.InvalidInputException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.function.Function;

/**
 * Parses the {@code :path} of {@code /image} and {@code /pxe} with the reference's precedence: it looks the schematic
 * up before it parses the path, so a request with both an unknown schematic and a bad path is a 404, not a 400. The
 * precedence itself is {@link AssetService#parsePath}, shared with {@code POST /builds}.
 */
@ApplicationScoped
public class RequestedAssetPaths {

    private final AssetService assets;

    @Inject
    RequestedAssetPaths(AssetService assets) {
        this.assets = assets;
    }

    /** The path of {@code /image/{schematic}/{version}/{path}}. */
    public AssetPath image(String schematic, String path) {
        return parse(schematic, path, AssetPath::parse);
    }

    /** The path of {@code /pxe/{schematic}/{version}/{path}}. */
    public AssetPath pxe(String schematic, String path) {
        return parse(schematic, path, AssetPath::parsePxe);
    }

    private AssetPath parse(String schematic, String path, Function<String, AssetPath> parser) {
        return assets.parsePath(schematic, path, parser);
    }
}
