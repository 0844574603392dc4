package dev.imagefactory.http;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.imagefactory.catalog.OfficialOverlay;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Wire form of an official overlay (upstream {@code client.OverlayInfo}); field order is part of the contract. */
@JsonPropertyOrder({"name", "image", "ref", "digest"})
@Schema(name = "Overlay", requiredProperties = {"name", "image", "ref", "digest"})
public record OverlayInfo(
        @Schema(example = "rpi_generic") String name,
        @Schema(example = "siderolabs/sbc-raspberrypi") String image,
        String ref,
        String digest) {

    static OverlayInfo of(OfficialOverlay o) {
        return new OverlayInfo(o.name(), o.image(), o.ref().toString(), o.digest());
    }
}
