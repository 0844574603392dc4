package dev.imagefactory.oci;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/** The platform of an index entry; {@code variant} is optional (arm64 images say {@code v8} or nothing). */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Platform(String os, String architecture, String variant) {

    public static Platform linux(String architecture) {
        return new Platform("linux", architecture, null);
    }

    /** Same OS and architecture; the variant is not compared, as the only variant Talos builds is arm64's v8. */
    public boolean runs(Platform wanted) {
        return wanted.os.equals(os) && wanted.architecture.equals(architecture);
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant == null ? "" : "/" + variant);
    }
}
