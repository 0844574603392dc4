package dev.imagefactory.http;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.imagefactory.catalog.OfficialExtension;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Wire form of an official extension (upstream {@code client.ExtensionInfo}); field order is part of the contract. */
@JsonPropertyOrder({"name", "ref", "digest", "author", "description"})
@Schema(name = "Extension", requiredProperties = {"name", "ref", "digest", "author", "description"})
public record ExtensionInfo(
        @Schema(example = "siderolabs/amd-ucode") String name,
        @Schema(example = "ghcr.io/siderolabs/amd-ucode:20240115") String ref,
        @Schema(example = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef") String digest,
        String author,
        String description) {

    static ExtensionInfo of(OfficialExtension e) {
        return new ExtensionInfo(e.name(), e.ref().toString(), e.digest(), e.author(), e.description());
    }
}
