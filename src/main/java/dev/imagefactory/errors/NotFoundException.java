package dev.imagefactory.errors;

/** The addressed thing (schematic, version, artifact) does not exist; answered with 404. */
public class NotFoundException extends RuntimeException {
    public NotFoundException(String message) {
        super(message);
    }
}
