package dev.imagefactory.build.iso;

import java.io.IOException;
import java.nio.file.Path;

/** Builds one ISO layout from its inputs. */
interface IsoGenerator {

    /**
     * Writes the ISO to {@code output}.
     *
     * @param work an empty directory for the scratch tree and the tools' temporary files; {@code output} lies
     *             outside the scratch tree
     */
    void generate(IsoInputs inputs, Path work, Path output) throws IOException;
}
