package dev.imagefactory.model;

/**
 * A resolved input a plan holds as a handle (a release file with its path, the signing keys, a base image) but is
 * identified in the plan's key only by what determines the bytes it contributes: its digest, a fingerprint.
 */
public interface PlanValue {

    /** The stable text that identifies this input's content (digests, fingerprints; never a local path). */
    String canonical();
}
