package dev.imagefactory.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.imagefactory.build.installer.BlobLeases;
import dev.imagefactory.build.installer.BlobStore;
import dev.imagefactory.cache.CachedArtifact;
import dev.imagefactory.config.FactoryConfig;
import dev.imagefactory.content.Digests;
import dev.imagefactory.model.Digest;
import dev.imagefactory.oci.Descriptor;
import dev.imagefactory.oci.ImageManifest;
import dev.imagefactory.oci.MediaTypes;
import dev.imagefactory.oci.OciJson;
import dev.imagefactory.signing.CosignKey;
import dev.imagefactory.signing.SigningKeys;
import dev.imagefactory.signing.SimpleSigningPayload;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cosign signatures of the installer images the registry serves (image-factory-reference.md §5.3/§6.2, cosign's
 * key-based "legacy" layout): for each signed manifest digest {@code sha256:<hex>} of a repository, the tag
 * {@code sha256-<hex>.sig} is an OCI image manifest whose one layer is the simple-signing payload
 * ({@link SimpleSigningPayload}) with its ECDSA signature in the {@code dev.cosignproject.cosign/signature}
 * annotation, and whose config lists that layer, as {@code cosign sign} writes them.
 *
 * <p>What is signed: the OCI index and the Docker manifest list of every served tag, and each platform's manifest in
 * them (containers/image checks the per-platform manifest it copies; cosign's {@code --recursive}). A digest is
 * published as signed for a repository when that repository's tag is assembled or served ({@link #publish}); the
 * factory never signs a digest it did not serve under that repository. The signature manifest itself is derived
 * again on request (signatures are deterministic, {@link CosignKey}), so nothing but the grant is kept; it is put in
 * the blob store so its config and payload blobs can be pulled.
 *
 * <p>{@code docker-reference} is {@code <host of factory.external-url>/<image>/<schematic>}: the name clients pull
 * by, which containers/image compares with the reference it pulled.
 */
@ApplicationScoped
public class InstallerSignatures {

    private static final Pattern TAG = Pattern.compile("sha256-([0-9a-f]{64})\\.sig");
    /** Media type of the grant documents (never served as a manifest: only looked up by digest). */
    static final String GRANT_MEDIA_TYPE = "application/vnd.image-factory.signature-grant.v1";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A signature manifest, stored, with its blobs leased until the answer is written. */
    public record Signature(byte[] manifest, Digest digest, BlobLeases leases) implements AutoCloseable {
        @Override
        public void close() {
            leases.close();
        }
    }

    private final SigningKeys keys;
    private final BlobStore store;
    private final Path dir;
    private final String registryHost;

    @Inject
    public InstallerSignatures(SigningKeys keys, BlobStore store, FactoryConfig config) {
        this.keys = keys;
        this.store = store;
        this.dir = config.dataDir().resolve("registry").resolve("signed");
        String authority = URI.create(config.externalUrl()).getRawAuthority();
        this.registryHost = authority == null ? config.externalUrl() : authority;
    }

    /** The manifest digest a cosign signature tag ({@code sha256-<hex>.sig}) names, if {@code tag} is one. */
    public static Optional<Digest> subjectOf(String tag) {
        Matcher m = TAG.matcher(tag);
        return m.matches() ? Optional.of(Digest.sha256Hex(m.group(1))) : Optional.empty();
    }

    /** The signature tag of {@code subject}. */
    public static String tagOf(Digest subject) {
        return subject.algorithm().id() + "-" + subject.hex() + ".sig";
    }

    /** {@code <registry host>/<image>/<schematic>}, the payload's {@code docker-reference}. */
    public String dockerReference(RepositoryName name) {
        return registryHost + "/" + name.repository();
    }

    /**
     * Publishes the tagged image's indexes and every manifest in them as signed for {@code name}: a grant document per
     * digest in the blob store, leased by {@code leases} (an index assembly holds them with its tag record, so they
     * live as long as the image, on every replica sharing the store), and a marker file on this replica. Returns the
     * digests, manifests before their indexes.
     */
    public List<Digest> publish(RepositoryName name, InstallerImages.TaggedImage image, BlobLeases leases)
            throws IOException {
        List<Digest> digests = new ArrayList<>();
        for (Descriptor index : List.of(image.oci(), image.docker())) {
            CachedArtifact stored = store.get(index.digest()).orElseThrow(() -> new IOException(
                    "index " + index.digest() + " is missing from the store"));
            for (Descriptor manifest : OciJson.index(BlobStore.readAll(stored), index.digest().toString()).manifests()) {
                digests.add(manifest.digest());
            }
        }
        digests.add(image.oci().digest());
        digests.add(image.docker().digest());
        Path repository = repositoryDir(name);
        Files.createDirectories(repository);
        for (Digest digest : digests) {
            store.putDocument(GRANT_MEDIA_TYPE, grant(name, digest), leases);
            Path marker = repository.resolve(tagOf(digest));
            if (!Files.exists(marker)) {
                Files.write(marker, new byte[0]); // empty: writing it twice at once is harmless
            }
        }
        return digests;
    }

    /**
     * {@link #publish} for a tag being served, unless this replica did it already (then two file tests): tag records
     * assembled before signing existed, or on another replica, get their signatures too.
     */
    public void publishServed(RepositoryName name, InstallerImages.TaggedImage image) throws IOException {
        if (marked(name, image.oci().digest()) && marked(name, image.docker().digest())) {
            return; // the indexes are marked last
        }
        try (BlobLeases leases = new BlobLeases()) {
            publish(name, image, leases);
        }
    }

    /** Whether {@code subject} was published as signed for {@code name}, here or by a replica sharing the store. */
    public boolean signed(RepositoryName name, Digest subject) {
        return marked(name, subject) || store.has(Digests.sha256(grant(name, subject)));
    }

    private boolean marked(RepositoryName name, Digest subject) {
        return Files.exists(repositoryDir(name).resolve(tagOf(subject)));
    }

    /** The grant document of {@code subject} in {@code name}: its digest is its name in the store. */
    private static byte[] grant(RepositoryName name, Digest subject) {
        return ("image-factory signature grant v1\n" + name.repository() + "\n" + subject + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The signature manifest of {@code subject} in {@code name}, stored with its config and payload blobs; empty when
     * the factory did not publish {@code subject} under {@code name}.
     */
    public Optional<Signature> signature(RepositoryName name, Digest subject) throws IOException {
        if (!signed(name, subject)) {
            return Optional.empty();
        }
        CosignKey key = keys.key();
        byte[] payload = SimpleSigningPayload.of(dockerReference(name), subject);
        String signature = Base64.getEncoder().encodeToString(key.sign(payload));
        BlobLeases leases = new BlobLeases();
        try {
            Descriptor payloadBlob = store.putDocument(SimpleSigningPayload.MEDIA_TYPE, payload, leases);
            Descriptor config = store.putDocument(MediaTypes.OCI_CONFIG, config(payloadBlob.digest()), leases);
            Descriptor layer = new Descriptor(SimpleSigningPayload.MEDIA_TYPE, payloadBlob.digest(), payloadBlob.size(),
                    null, Map.of(SimpleSigningPayload.SIGNATURE_ANNOTATION, signature));
            byte[] manifest = OciJson.write(ImageManifest.of(MediaTypes.OCI_MANIFEST, config, List.of(layer)));
            Descriptor stored = store.putDocument(MediaTypes.OCI_MANIFEST, manifest, leases);
            return Optional.of(new Signature(manifest, stored.digest(), leases));
        } catch (IOException | RuntimeException e) {
            leases.close();
            throw e;
        }
    }

    /** The signature image's config as cosign writes it: no platform, the payload as its one layer. */
    private static byte[] config(Digest payload) {
        ObjectNode config = JSON.createObjectNode();
        config.put("architecture", "");
        config.put("created", "0001-01-01T00:00:00Z");
        config.putArray("history").addObject().put("created", "0001-01-01T00:00:00Z");
        config.put("os", "");
        ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        rootfs.putArray("diff_ids").add(payload.toString());
        config.putObject("config");
        return config.toString().getBytes(StandardCharsets.UTF_8);
    }

    private Path repositoryDir(RepositoryName name) {
        return dir.resolve(name.image()).resolve(name.schematic());
    }
}
