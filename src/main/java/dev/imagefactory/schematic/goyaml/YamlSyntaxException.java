package dev.imagefactory.schematic.goyaml;

/** The input is not YAML we accept, or cannot be decoded into the target; the message is one line. */
public class YamlSyntaxException extends RuntimeException {
    public YamlSyntaxException(String message) {
        super(message.replace('\n', ' ').replace('\r', ' '));
    }
}
