package dev.imagefactory.registry;

import dev.imagefactory.build.installer.DockerArchive;
import dev.imagefactory.model.Digest;
import dev.imagefactory.oci.Descriptor;
import dev.imagefactory.oci.ImageManifest;
import dev.imagefactory.oci.MediaTypes;
import dev.imagefactory.oci.OciJson;
import dev.imagefactory.oci.Platform;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Loads a docker-save installer tarball into the {@link BlobStore} (upstream loads it with {@code tarball.Image}):
 * the config and layer blobs are copied while the tarball streams by, verified against the digests their names
 * carry, then {@code manifest.json} gives the layer order. Two manifests are stored for the same blobs: an OCI one
 * and a Docker schema 2 one, so both an OCI index and a Docker manifest list can be offered.
 */
final class TarballImporter {

    /** The image's manifests in both formats, each with its platform set (ready for an index). */
    record ImportedImage(Descriptor oci, Descriptor docker) {
    }

    private final BlobStore store;

    TarballImporter(BlobStore store) {
        this.store = store;
    }

    /** Imports the image; every blob stored is leased into {@code leases}. */
    ImportedImage importImage(Path tarball, String arch, BlobLeases leases) throws IOException {
        Map<String, Descriptor> blobs = new HashMap<>();
        DockerArchive.ManifestEntry manifest = null;
        try (InputStream file = new BufferedInputStream(Files.newInputStream(tarball), 1 << 16);
                TarArchiveInputStream tar = new TarArchiveInputStream(file)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (!entry.isFile()) {
                    continue;
                }
                String name = entry.getName();
                if (name.equals(DockerArchive.MANIFEST)) {
                    manifest = DockerArchive.readManifest(tar.readAllBytes());
                    continue;
                }
                Digest digest = digestOf(name, tarball);
                store.put(digest, entry.getSize(), tar, leases);
                blobs.put(name, new Descriptor("", digest, entry.getSize()));
            }
        }
        if (manifest == null) {
            throw new IOException(tarball + " has no " + DockerArchive.MANIFEST);
        }
        Descriptor config = require(blobs, manifest.config(), tarball);
        List<Descriptor> layers = new ArrayList<>();
        for (String layer : manifest.layers()) {
            layers.add(require(blobs, layer, tarball));
        }
        Platform platform = Platform.linux(arch);
        Descriptor oci = store.putDocument(MediaTypes.OCI_MANIFEST, OciJson.write(ImageManifest.of(
                MediaTypes.OCI_MANIFEST, config.withMediaType(MediaTypes.OCI_CONFIG),
                layers.stream().map(l -> l.withMediaType(MediaTypes.OCI_LAYER_GZIP)).toList())), leases);
        Descriptor docker = store.putDocument(MediaTypes.DOCKER_MANIFEST, OciJson.write(ImageManifest.of(
                MediaTypes.DOCKER_MANIFEST, config.withMediaType(MediaTypes.DOCKER_CONFIG),
                layers.stream().map(l -> l.withMediaType(MediaTypes.DOCKER_LAYER_GZIP)).toList())), leases);
        return new ImportedImage(oci.withPlatform(platform), docker.withPlatform(platform));
    }

    /** {@code sha256:<hex>} (config) or {@code <hex>.tar.gz} (layer), as {@link DockerArchive} names them. */
    private static Digest digestOf(String name, Path tarball) throws IOException {
        String text = name.endsWith(".tar.gz") ? "sha256:" + name.substring(0, name.length() - ".tar.gz".length()) : name;
        try {
            return Digest.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IOException(tarball + ": unexpected entry " + name);
        }
    }

    private static Descriptor require(Map<String, Descriptor> blobs, String name, Path tarball) throws IOException {
        Descriptor d = blobs.get(name);
        if (d == null) {
            throw new IOException(tarball + ": manifest.json names " + name + ", which the archive lacks");
        }
        return d;
    }
}
