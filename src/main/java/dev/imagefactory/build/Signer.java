package dev.imagefactory.build;

import dev.imagefactory.model.PlanValue;

import dev.imagefactory.secureboot.SigningMaterial;

/** The SecureBoot keys a plan signs with, identified in the plan by their fingerprint only (never the keys). */
public record Signer(SigningMaterial material) implements PlanValue {

    @Override
    public String canonical() {
        return material.fingerprint();
    }
}
