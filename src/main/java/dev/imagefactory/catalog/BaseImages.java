package dev.imagefactory.catalog;

import dev.imagefactory.model.Digest;
import dev.imagefactory.oci.Descriptor;
import dev.imagefactory.oci.ImageConfig;
import dev.imagefactory.oci.ImageManifest;
import dev.imagefactory.oci.OciException;
import dev.imagefactory.oci.OciJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Builds a {@link BaseImage} from a resolved manifest whose config and layer blobs are already on local disk. */
final class BaseImages {

    /** A base config is a few kilobytes; a bigger one is not an image config. */
    private static final long MAX_CONFIG_SIZE = 1 << 20;

    private BaseImages() {
    }

    /**
     * @param blobs where each (verified) blob of the manifest lies
     * @param where names the image in errors
     */
    static BaseImage of(String reference, ImageManifest manifest, Function<Descriptor, Path> blobs, String where) {
        Descriptor configDescriptor = manifest.config();
        if (configDescriptor == null || configDescriptor.size() > MAX_CONFIG_SIZE) {
            throw new ReleaseDataException(where + ": the manifest has no usable config");
        }
        Path config = blobs.apply(configDescriptor);
        List<Digest> diffIds;
        try {
            ImageConfig parsed = OciJson.config(Files.readAllBytes(config), where + " config");
            diffIds = parsed.rootfs() == null || parsed.rootfs().diffIds() == null ? List.of() : parsed.rootfs().diffIds();
        } catch (OciException e) {
            throw new ReleaseDataException(where + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new ReleaseDataException(where + ": cannot read " + config + ": " + e.getMessage(), e);
        }
        // docker-save output (and the image built on top) names layers by diff_id: one per layer, in order
        if (diffIds.size() != manifest.layers().size()) {
            throw new ReleaseDataException(where + ": " + manifest.layers().size() + " layers but "
                    + diffIds.size() + " diff_ids in the config");
        }
        List<BaseLayer> layers = new ArrayList<>();
        for (int i = 0; i < diffIds.size(); i++) {
            Descriptor layer = manifest.layers().get(i);
            layers.add(new BaseLayer(layer, blobs.apply(layer), diffIds.get(i).toString()));
        }
        return new BaseImage(reference, config, configDescriptor.digest().toString(), layers);
    }
}
