package dev.imagefactory.build.installer;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.oci.Descriptor;
import dev.imagefactory.model.Digest;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The record of one single-arch installer image in the {@link BlobStore} (the installer step's cached product, which
 * holds every blob named here): its config and layers, its manifests in both formats (each with its platform, ready
 * for an index), the {@code RepoTags} of its docker-save archive, and the size and digests of that archive, computed
 * once when the image was written so that the {@code /image} download needs no pass over the blobs for its
 * {@code .sha256} and ETag. Records written before issue 20 also carry a {@code tarballSha512}, ignored now (a
 * {@code .sha512} is hashed on its first request, {@code Sha512Sidecars}).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StoredInstallerImage(String repoTag, Descriptor config, List<Descriptor> layers, Descriptor oci,
        Descriptor docker, long tarballSize, String tarballSha256) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public StoredInstallerImage {
        layers = List.copyOf(layers);
    }

    /** The docker-save archive of this image, as segments over its blobs. */
    public List<DockerArchive.Segment> tarball() {
        return DockerArchive.layout(config, layers, repoTag);
    }

    /** Every blob of the image: config, layers and both manifests. */
    public Set<Digest> digests() {
        Set<Digest> digests = new LinkedHashSet<>();
        digests.add(config.digest());
        layers.forEach(l -> digests.add(l.digest()));
        digests.add(oci.digest());
        digests.add(docker.digest());
        return digests;
    }

    public byte[] toJson() throws IOException {
        return JSON.writeValueAsBytes(this);
    }

    public static StoredInstallerImage parse(byte[] json) throws IOException {
        return JSON.readValue(json, StoredInstallerImage.class);
    }
}
