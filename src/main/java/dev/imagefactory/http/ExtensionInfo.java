package dev.imagefactory.http;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.imagefactory.catalog.OfficialExtension;

/** Wire form of an official extension (upstream {@code client.ExtensionInfo}); field order is part of the contract. */
@JsonPropertyOrder({"name", "ref", "digest", "author", "description"})
public record ExtensionInfo(String name, String ref, String digest, String author, String description) {

    static ExtensionInfo of(OfficialExtension e) {
        return new ExtensionInfo(e.name(), e.ref().toString(), e.digest(), e.author(), e.description());
    }
}
