package dev.imagefactory.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The service's public configuration contract ({@code factory.*}); names are documented in README.md and
 * may also be given as environment variables ({@code FACTORY_DATA_DIR}, {@code FACTORY_EXTERNAL_URL}, ...).
 */
@ConfigMapping(prefix = "factory")
public interface FactoryConfig {

    /** Everything the service persists lives below this directory. */
    @WithDefault("./data")
    Path dataDir();

    /** Public base URL used in generated links. */
    @WithDefault("http://localhost:8080")
    String externalUrl();

    /** Base URL for iPXE scripts; falls back to {@link #externalUrl()}. */
    Optional<String> externalPxeUrl();

    Releases releases();

    Catalog catalog();

    Extensions extensions();

    Cache cache();

    Build build();

    SecureBoot secureboot();

    Registry registry();

    Signing signing();

    Http http();

    /** The HTTP listener's own policy, beyond Quarkus' {@code quarkus.http.*}. */
    interface Http {

        /**
         * On a localhost listener: the {@code Host} names answered besides the localhost names, replacing the hosts
         * of the external URLs; {@code *} answers every name.
         */
        Optional<List<String>> allowedHosts();

        /**
         * Origins whose browser code may read this service's answers (CORS, reference {@code http.allowedOrigins}):
         * {@code *} for any, else exact origins such as {@code https://app.example.com}, one {@code *} wildcard each
         * allowed ({@code https://*.example.com}).
         */
        @WithDefault("*")
        List<String> allowedOrigins();
    }

    interface Releases {
        /** Where releases come from: {@code directory} ({@link #dir()}) or {@code oci} ({@link #oci()}). */
        @WithDefault("directory")
        Source source();

        /** Local release source: one sub-directory per Talos version in the upstream imager layout. */
        @WithDefault("./releases")
        Path dir();

        /** Lowest Talos version offered (upstream {@code build.minTalosVersion}). */
        @WithDefault("1.2.0")
        String minVersion();

        /** Versions hidden from {@code /versions} and refused everywhere (upstream {@code build.brokenTalosVersions}). */
        Optional<List<String>> brokenVersions();

        /**
         * Pre-release prefix of locally built stand-in releases (e.g. {@code v1.11.0-debian.1}); such versions are
         * listed even though upstream only lists alpha/beta/rc pre-releases of the newest minor.
         */
        @WithDefault("debian")
        String localBuildMarker();

        Oci oci();

        /** Cosign verification of every source image before it is used (see {@code signing.SourceVerification}). */
        Verify verify();

        enum Source { DIRECTORY, OCI }

        /** Which cosign signatures a pulled source image must carry (reference: the {@code containerSignature} keys). */
        interface Verify {
            /** Off only for development: images are then used unchecked (logged loudly, shown by {@code /readyz}). */
            @WithDefault("true")
            boolean enabled();

            /**
             * Public keys (PEM {@code PUBLIC KEY}: ECDSA P-256, RSA or Ed25519, as {@code cosign generate-key-pair}
             * and {@code openssl} write them); a signature by any of them is accepted. Required while enabled.
             */
            Optional<List<Path>> keys();
        }

        /** The registry release source: the upstream images {@code imager}, {@code extensions}, {@code overlays}. */
        interface Oci {
            /** Registry holding the release images (upstream {@code artifacts.core.registry}). */
            @WithDefault("ghcr.io")
            String registry();

            /** Talk plain HTTP to {@link #registry()} and to extension images on it. */
            @WithDefault("false")
            boolean insecure();

            /** Credentials for {@link #registry()}; anonymous (with bearer tokens where asked) when unset. */
            Optional<String> username();

            Optional<String> password();

            /** Repository whose tags are the Talos versions and whose image holds the boot files. */
            @WithDefault("siderolabs/imager")
            String imager();

            /** Repository of the per-version extension manifest image ({@code image-digests}). */
            @WithDefault("siderolabs/extensions")
            String extensions();

            /** Repository of the per-version overlay manifest image ({@code overlays.yaml}). */
            @WithDefault("siderolabs/overlays")
            String overlays();

            /** Repository of the base installer image of Talos >= 1.10 (talos-imager.md §1.2). */
            @WithDefault("siderolabs/installer-base")
            String installerBase();

            /** Repository of the installer image of Talos < 1.10, the base of installers for those versions. */
            @WithDefault("siderolabs/installer")
            String installer();

            /** Repository of the per-version image holding the talosctl binaries ({@code talosctl-<os>-<arch>[.exe]}). */
            @WithDefault("siderolabs/talosctl-all")
            String talosctl();

            /** How long the list of versions (imager tags) is reused (upstream {@code talosVersionRecheckInterval}). */
            @WithDefault("15m")
            Duration recheckInterval();
        }
    }

    /** System extensions beyond the release's own manifest. */
    interface Extensions {

        Extra extra();

        /**
         * The extra (custom) extensions manifest (reference {@code enterprise.extraExtensions.manifest}): a second
         * manifest per Talos version in the official one's format, whose entries join the catalog; unset = none.
         */
        interface Extra {
            /**
             * Registry source: repository of the extra manifest image, tagged with the Talos version like
             * {@code siderolabs/extensions}; its extension images are pulled from {@link #registry()} by repository path.
             */
            Optional<String> repository();

            /**
             * Registry holding {@link #repository()} and its extension images; unset: the release registry
             * ({@code factory.releases.oci.*}, with its {@code insecure} and credentials).
             */
            Optional<String> registry();

            /** Talk plain HTTP to {@link #registry()}. */
            @WithDefault("false")
            boolean insecure();

            /** Credentials for {@link #registry()}; anonymous when unset. */
            Optional<String> username();

            Optional<String> password();

            /**
             * Directory source: the folder in each version directory holding the extra manifest ({@code image-digests},
             * {@code descriptions.yaml}) and its images ({@code extension-images/<repository path>/}).
             */
            Optional<String> folder();
        }
    }

    interface Catalog {
        /** Folder holding {@code extensions-catalog/} and {@code overlays/}; default: the working directory. */
        @WithDefault(".")
        Path dir();
    }

    interface Cache {
        /**
         * Upper bound of the artifact cache below {@code <data-dir>/cache/}: bytes, or a size with a binary suffix
         * ({@code 512M}, {@code 20G}); least recently used artifacts are evicted beyond it.
         */
        @WithDefault("20G")
        MemorySize maxSize();

        /** Where built artifacts and schematics are kept: {@code filesystem} (below the data dir) or {@code s3}. */
        @WithDefault("filesystem")
        Backend backend();

        S3 s3();

        enum Backend { FILESYSTEM, S3 }

        /**
         * The shared bucket of {@code backend=s3}: final artifacts under {@code assets/}, schematics under
         * {@code schematics/}, build leases under {@code leases/}. The local cache ({@link #maxSize()}) still holds
         * intermediates and recently used artifacts.
         */
        interface S3 {
            /** Server URL, e.g. {@code https://s3.eu-west-1.amazonaws.com} or {@code http://minio:9000}. */
            Optional<String> endpoint();

            @WithDefault("us-east-1")
            String region();

            Optional<String> bucket();

            Optional<String> accessKey();

            Optional<String> secretKey();

            /** Path-style URLs ({@code endpoint/bucket/key}, MinIO's default) rather than virtual-host style. */
            @WithDefault("true")
            boolean pathStyle();

            /** Answer {@code GET /image/...} with a 302 to a presigned URL instead of serving the bytes. */
            @WithDefault("false")
            boolean redirect();

            /** Validity of those presigned URLs. */
            @WithDefault("1h")
            Duration redirectTtl();

            /**
             * How long a replica's build lease lasts without renewal; the holder renews it every third of this,
             * so only a replica that died leaves it to expire, and then another replica takes the build over.
             */
            @WithDefault("60s")
            Duration leaseTtl();

            /**
             * Bound of each metadata call (HEAD, small objects, leases, the readiness check), connecting included: a
             * hung S3 fails the request that needed it with 503 after this long.
             */
            @WithDefault("5s")
            Duration timeout();

            /**
             * Longest silence while streaming an artifact to or from S3 (no bound on the total, which depends on the
             * size); connecting is bounded by {@link #timeout()}.
             */
            @WithDefault("30s")
            Duration streamIdleTimeout();
        }
    }

    Readiness readiness();

    interface Readiness {
        /** {@code /readyz} answers "not ready" when its checks (disk, S3) have not finished within this. */
        @WithDefault("2s")
        Duration timeout();
    }

    interface Build {
        /** Builds running at once (upstream {@code build.maxConcurrency}); further builds queue, first come first served. */
        @WithDefault("6")
        int maxConcurrency();

        /** A build still running after this long is interrupted and its waiting requests fail (e.g. {@code 20m}, {@code PT1H}). */
        @WithDefault("20m")
        Duration timeout();

        /**
         * Requests that may wait for builds at once; one more that needs a build is answered 503 with
         * {@code Retry-After} at once (what is cached is still served). Waiting holds no request thread.
         */
        @WithDefault("100")
        int maxWaiting();

        /** How long a finished build stays listed under {@code /builds} (its events can still be replayed). */
        @WithDefault("1h")
        Duration keepFinished();
    }

    /**
     * SecureBoot key material (upstream {@code secureBoot.file.*}): PEM files, all three or none. With none and
     * {@link #devKeys()} off, SecureBoot is disabled. See {@code dev.imagefactory.secureboot.SecureBootKeys}.
     */
    interface SecureBoot {
        /** RSA private key (PKCS#1 or PKCS#8 PEM) that Authenticode-signs systemd-boot and the UKIs. */
        Optional<Path> signingKey();

        /** X.509 certificate (PEM) of {@link #signingKey()}: embedded in signatures, served, enrolled in db. */
        Optional<Path> signingCert();

        /** RSA private key (PKCS#1 or PKCS#8 PEM) that signs the PCR 11 policy ({@code .pcrsig}). */
        Optional<Path> pcrKey();

        /**
         * With no key paths configured: generate development keys once into {@code <data-dir>/secureboot/} and
         * use them (never for production: anyone with the data directory can sign boot images).
         */
        @WithDefault("false")
        boolean devKeys();
    }

    /** The cosign key that signs installer images and download bundles (reference {@code cache.signingKeyPath}). */
    interface Signing {
        /**
         * ECDSA P-256 private key, unencrypted PEM (PKCS#8 or SEC1). Unset: a development key generated once into
         * {@code <data-dir>/signing/}.
         */
        Optional<Path> key();
    }

    /** The registry frontend ({@code /v2}) that serves installer images. */
    interface Registry {
        Backing backing();

        /**
         * Optional backing registry (upstream {@code artifacts.installer.internal}/{@code external}): built installer
         * indexes are pushed to {@code <registry>/<namespace>/<image>/<schematic>:<version>} and pulls are
         * redirected (307) to it. Unset: manifests and blobs are served from the factory's own store.
         */
        interface Backing {
            /** {@code host[:port]} of the backing registry; unset disables it. */
            Optional<String> registry();

            /** Repository prefix below which images are pushed, e.g. {@code image-factory}; none when unset. */
            Optional<String> namespace();

            /** Talk plain HTTP to it (a registry inside the cluster or on localhost). */
            @WithDefault("false")
            boolean insecure();

            /** Push credentials (Basic or bearer-token flow); clients following the redirect pull anonymously. */
            Optional<String> username();

            Optional<String> password();
        }
    }

    default String pxeBaseUrl() {
        return externalPxeUrl().filter(s -> !s.isBlank()).orElse(externalUrl());
    }
}
