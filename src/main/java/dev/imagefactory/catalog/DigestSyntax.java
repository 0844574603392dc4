package dev.imagefactory.catalog;

import java.util.regex.Pattern;

/**
 * The syntax of OCI digests in catalog and release files ({@code sha256:<64 hex>}, or another registered algorithm,
 * which the factory only passes on; {@link dev.imagefactory.model.Digest} is what it computes and checks).
 */
final class DigestSyntax {

    private static final Pattern SHA256 = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final Pattern ANY = Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}");

    private DigestSyntax() {
    }

    static boolean isValid(String digest) {
        return digest.startsWith("sha256:") ? SHA256.matcher(digest).matches() : ANY.matcher(digest).matches();
    }
}
