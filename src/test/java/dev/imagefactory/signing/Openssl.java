package dev.imagefactory.signing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The independent verifier of the signing tests: OpenSSL's command line, which shares no code with the service.
 * {@code openssl dgst -sha256 -verify} checks an ASN.1 DER ECDSA signature against SHA-256 of a file, exactly what
 * cosign and Sigstore verifiers check for a key-based signature.
 */
public final class Openssl {

    private Openssl() {
    }

    /** Whether {@code signature} (DER) is {@code publicKey}'s (PEM) signature of SHA-256 of {@code message}. */
    public static boolean verifies(Path publicKey, byte[] signature, Path message) throws IOException {
        Path sig = Files.createTempFile("sig", ".der");
        try {
            Files.write(sig, signature);
            Result result = run("openssl", "dgst", "-sha256", "-verify", publicKey.toString(), "-signature",
                    sig.toString(), message.toString());
            if (result.exit() == 0 != result.output().contains("Verified OK")) {
                throw new IllegalStateException("unexpected openssl answer: " + result);
            }
            return result.exit() == 0;
        } finally {
            Files.deleteIfExists(sig);
        }
    }

    /** A new P-256 private key (PKCS#8 PEM) at {@code file}, made by openssl. */
    public static Path newP256Key(Path file) throws IOException {
        check(run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
                file.toString()));
        return file;
    }

    /** The public key of the private key {@code key}, PEM, as openssl derives it. */
    public static Path publicKeyOf(Path key, Path out) throws IOException {
        check(run("openssl", "pkey", "-in", key.toString(), "-pubout", "-out", out.toString()));
        return out;
    }

    /** Runs openssl with {@code args} (after "openssl"), failing on a non-zero exit. */
    public static String openssl(String... args) throws IOException {
        String[] command = new String[args.length + 1];
        command[0] = "openssl";
        System.arraycopy(args, 0, command, 1, args.length);
        return check(run(command)).output();
    }

    record Result(int exit, String output) {
    }

    private static Result check(Result result) {
        if (result.exit() != 0) {
            throw new IllegalStateException("openssl failed: " + result.output());
        }
        return result;
    }

    private static Result run(String... command) throws IOException {
        Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        try {
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("openssl did not finish: " + String.join(" ", command));
            }
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted", e);
        }
    }
}
