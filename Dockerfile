# Image Factory container image.
#
#   docker build -t image-factory .
#   docker run -p 8080:8080 -v image-factory-data:/var/lib/image-factory image-factory
#
# Stage 1 compiles the Quarkus application into one runnable jar (target/image-factory-runner.jar).
# Stage 2 is a Debian 12 runtime with a headless JRE plus the filesystem/image tools that the
# asset builders shell out to. The process runs as uid/gid 10001 (the Kubernetes manifests in
# k8s/ use the same ids).

ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=debian:bookworm-slim

########################################################################################
# Stage 1: build
########################################################################################
FROM ${BUILD_IMAGE} AS build

WORKDIR /build

# A private local repository inside the stage, so the dependency layer below is reused
# whenever pom.xml is unchanged, independent of how the base image configures ~/.m2.
ENV MAVEN_LOCAL_REPO=/build/.m2/repository

# Dependencies first: this layer depends on pom.xml only. Packaging the empty project pulls
# exactly the plugins and (deployment) dependencies that the real package step needs; the
# generic go-offline goals also chase dev-mode/optional artifacts the build never uses.
COPY pom.xml ./
RUN mvn -B -ntp -Dmaven.repo.local="${MAVEN_LOCAL_REPO}" package -DskipTests \
    && rm -rf target

# Then the sources.
COPY src ./src
RUN mvn -B -ntp -Dmaven.repo.local="${MAVEN_LOCAL_REPO}" package -DskipTests \
    && test -f target/image-factory-runner.jar

########################################################################################
# Stage 2: runtime
########################################################################################
FROM ${RUNTIME_IMAGE} AS runtime

LABEL org.opencontainers.image.title="image-factory" \
      org.opencontainers.image.description="Builds Talos Linux boot images from schematics"

# JRE, tini (PID 1 that forwards signals and reaps the helper processes the builders spawn),
# curl (HEALTHCHECK) and the tools used to assemble boot media:
#   squashfs-tools (mksquashfs/unsquashfs), xorriso (ISO), grub-common + grub-pc-bin +
#   grub-efi-amd64-bin (grub-mkrescue with GRUB for BIOS and UEFI, for ISOs), mtools + dosfstools
#   (FAT/EFI partitions), kmod (depmod for extension modules), xfsprogs (mkfs.xfs), qemu-utils
#   (qemu-img for qcow2/vmdk/vhd), zstd + xz-utils + pigz (compression), cpio (initramfs).
# GRUB for arm64 (arm64-efi, for arm64 GRUB images) comes from Debian's grub-efi-arm64-bin, which is arm64-only:
# scripts/fetch-grub-arm64 unpacks it into /usr/local/lib/image-factory/grub/arm64-efi (its .deb and arm64 package
# lists in a scratch directory removed afterwards).
# The man1 directory works around the JRE postinst on "slim" images that strip /usr/share/man.
COPY scripts/fetch-grub-arm64 /usr/local/lib/image-factory/fetch-grub-arm64
RUN set -eux; \
    mkdir -p /usr/share/man/man1; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        openjdk-17-jre-headless \
        ca-certificates \
        curl \
        tini \
        squashfs-tools \
        xorriso \
        grub-common \
        grub-pc-bin \
        grub-efi-amd64-bin \
        mtools \
        dosfstools \
        kmod \
        xfsprogs \
        qemu-utils \
        zstd \
        xz-utils \
        pigz \
        cpio; \
    GRUB_DEB_CACHE=/tmp/grub-arm64-debs /usr/local/lib/image-factory/fetch-grub-arm64; \
    rm -rf /tmp/grub-arm64-debs; \
    apt-get clean; \
    rm -rf /var/lib/apt/lists/*; \
    groupadd --system --gid 10001 factory; \
    useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/image-factory \
        --no-create-home --shell /usr/sbin/nologin factory; \
    mkdir -p /var/lib/image-factory/releases; \
    chown -R 10001:10001 /var/lib/image-factory

# Configuration (see src/main/resources/application.properties for the keys; every key can be
# given as an environment variable). Catalogs are baked into the image; data, the schematic
# store and local releases live on the volume.
ENV QUARKUS_HTTP_PORT=8080 \
    FACTORY_DATA_DIR=/var/lib/image-factory \
    FACTORY_RELEASES_DIR=/var/lib/image-factory/releases \
    FACTORY_CATALOG_DIR=/opt/image-factory/catalog \
    JDK_JAVA_OPTIONS="-XX:MaxRAMPercentage=75.0 -XX:InitialRAMPercentage=25.0 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp -XX:CompileThresholdScaling=3"

# Application and catalogs stay owned by root: read-only for the service user.
COPY extensions-catalog/ /opt/image-factory/catalog/extensions-catalog/
COPY overlays/ /opt/image-factory/catalog/overlays/
COPY --from=build /build/target/image-factory-runner.jar /opt/image-factory/app/

WORKDIR /opt/image-factory/app
USER 10001:10001

VOLUME /var/lib/image-factory
EXPOSE 8080

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${QUARKUS_HTTP_PORT:-8080}/healthz" || exit 1

# JVM flags come from JDK_JAVA_OPTIONS above (container-aware heap, and the launch options of scripts/jvm-options:
# a quicker start-up); override that variable to tune.
ENTRYPOINT ["/usr/bin/tini", "--", "java", "-jar", "/opt/image-factory/app/image-factory-runner.jar"]
