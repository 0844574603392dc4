package dev.imagefactory.build;

import dev.imagefactory.model.PlanValue;

import dev.imagefactory.content.Digests;

/** Bytes a plan carries (e.g. an overlay's extra options), identified in the plan by their SHA-256. */
public record Blob(byte[] bytes) implements PlanValue {

    public Blob {
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public String canonical() {
        return "sha256:" + Digests.sha256(bytes).hex();
    }
}
