package dev.imagefactory.oci;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.imagefactory.model.Digest;
import java.util.List;

/** The parts of an image configuration blob this service reads or writes: platform and layer diff IDs. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ImageConfig(String architecture, String os, String variant, RootFs rootfs) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RootFs(String type, @JsonProperty("diff_ids") List<Digest> diffIds) {
        public static RootFs layers(List<Digest> diffIds) {
            return new RootFs("layers", diffIds);
        }
    }

    public Platform platform() {
        return new Platform(os, architecture, variant);
    }
}
