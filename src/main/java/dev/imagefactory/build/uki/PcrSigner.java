package dev.imagefactory.build.uki;

import java.io.IOException;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Makes the {@code .pcrsig} JSON of one UKI profile (talos-imager.md §4.4 steps 2-3) from the sections measured
 * for it (step 1, computed by {@link UkiSections#measuredPerProfile}). The map iterates in §4.4's fixed
 * measurement order ({@link UkiSections#MEASUREMENT_ORDER}) and holds only measured sections, so an
 * implementation extends the PCR with the entries as they come. Contents are streamed: read them with
 * {@link SectionContent#openStream()}.
 */
@FunctionalInterface
public interface PcrSigner {

    byte[] sign(Map<String, SectionContent> measured) throws IOException;

    /**
     * The size of every {@code .pcrsig} this signer makes, when it is known before signing: then the UKI is laid out
     * and written while the measured sections are hashed and signed, instead of after.
     */
    default OptionalLong signatureSize() {
        return OptionalLong.empty();
    }

    /** {@code signer}, known to make signatures of {@code size} bytes. */
    static PcrSigner ofSize(long size, PcrSigner signer) {
        return new PcrSigner() {
            @Override
            public byte[] sign(Map<String, SectionContent> measured) throws IOException {
                return signer.sign(measured);
            }

            @Override
            public OptionalLong signatureSize() {
                return OptionalLong.of(size);
            }
        };
    }
}
