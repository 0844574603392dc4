package dev.imagefactory.schematic.goyaml;

/** The document is over one of its {@link DecodeLimits}; the message names the limit. */
public final class DecodeLimitException extends YamlSyntaxException {
    public DecodeLimitException(String message) {
        super(message);
    }
}
