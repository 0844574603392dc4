package dev.imagefactory.oci;

import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Finds the image manifest for a platform, as {@code docker pull --platform} does: in an index, the first entry
 * whose platform matches (nested indexes are followed); failing that, the index's only entry without a platform
 * (OCI layouts and single-arch images often carry none). A plain manifest is taken as it is.
 */
public final class ManifestSelector {

    /** Indexes of indexes are legal but never deep; the bound stops a cycle of hostile documents. */
    private static final int MAX_DEPTH = 4;

    private ManifestSelector() {
    }

    /** Selects from a document already fetched (a manifest GET by tag answers with bytes and a digest). */
    public static ResolvedManifest select(ImageSource source, Descriptor descriptor, byte[] document, Platform wanted)
            throws IOException {
        return select(source, descriptor, document, wanted, 0);
    }

    /** Selects below an index that is not itself content-addressed, such as an OCI layout's {@code index.json}. */
    public static ResolvedManifest select(ImageSource source, ImageIndex index, Platform wanted, String where)
            throws IOException {
        Descriptor entry = choose(index.manifests(), wanted, where);
        return select(source, entry, source.readManifest(entry), wanted, 1);
    }

    private static ResolvedManifest select(ImageSource source, Descriptor descriptor, byte[] document,
            Platform wanted, int depth) throws IOException {
        String where = descriptor.digest().toString();
        String mediaType = OciJson.mediaTypeOf(document, descriptor.mediaType(), where);
        if (MediaTypes.isManifest(mediaType)) {
            return new ResolvedManifest(descriptor.withMediaType(mediaType), OciJson.manifest(document, where));
        }
        if (!MediaTypes.isIndex(mediaType)) {
            throw new OciException(where + ": unsupported manifest media type \"" + mediaType + "\"");
        }
        if (depth >= MAX_DEPTH) {
            throw new OciException(where + ": image indexes nested deeper than " + MAX_DEPTH);
        }
        Descriptor entry = choose(OciJson.index(document, where).manifests(), wanted, where);
        return select(source, entry, source.readManifest(entry), wanted, depth + 1);
    }

    private static Descriptor choose(List<Descriptor> entries, Platform wanted, String where) throws OciException {
        List<Descriptor> usable = entries.stream()
                .filter(d -> MediaTypes.isManifest(d.mediaType()) || MediaTypes.isIndex(d.mediaType()))
                .toList();
        for (Descriptor d : usable) {
            if (d.platform() != null && d.platform().runs(wanted)) {
                return d;
            }
        }
        List<Descriptor> unlabelled = usable.stream().filter(d -> d.platform() == null).toList();
        if (unlabelled.size() == 1) {
            return unlabelled.get(0);
        }
        String offered = usable.stream()
                .map(d -> d.platform() == null ? "(no platform)" : d.platform().toString())
                .collect(Collectors.joining(", "));
        throw new NoMatchingPlatformException(where + ": no image for " + wanted + " in the index (it has: "
                + (offered.isEmpty() ? "nothing" : offered) + ")");
    }
}
