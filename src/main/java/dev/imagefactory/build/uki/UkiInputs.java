package dev.imagefactory.build.uki;

import dev.imagefactory.model.Quirks;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What one UKI is made of (talos-imager.md §4.2).
 *
 * @param stub          systemd-stub.efi of the release (unsigned, PE32+, no COFF symbols)
 * @param kernel        the kernel ({@code .linux}); for x86 its bzImage header gives {@code .uname}
 * @param initrd        the final initramfs ({@code .initrd})
 * @param cmdline       the final kernel command line ({@code .cmdline}), written as is
 * @param osName        {@code NAME} in {@code .osrel}: {@value #TALOS} for the factory
 * @param version       the requested Talos version tag, with its {@code v} ({@code VERSION_ID} in {@code .osrel})
 * @param quirks        the quirks of that version ({@code .profile} sections from 1.10)
 * @param splash        a BMP for {@code .splash}, or null (the stand-in release has none)
 * @param pcrPublicKey  PEM {@code PUBLIC KEY} for {@code .pcrpkey}; non-null exactly for signed builds
 * @param pcrSigner     makes each {@code .pcrsig}; non-null exactly for signed builds
 * @param extraProfiles profiles after {@code main} (>= 1.10 only; ignored before, like upstream)
 */
public record UkiInputs(Path stub, Path kernel, Path initrd, String cmdline, String osName, String version,
        Quirks quirks, Path splash, byte[] pcrPublicKey, PcrSigner pcrSigner, List<UkiProfile> extraProfiles) {

    public static final String TALOS = "Talos";

    public UkiInputs {
        Objects.requireNonNull(stub, "stub");
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(initrd, "initrd");
        Objects.requireNonNull(cmdline, "cmdline");
        Objects.requireNonNull(osName, "osName");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(quirks, "quirks");
        extraProfiles = List.copyOf(extraProfiles);
        pcrPublicKey = pcrPublicKey == null ? null : pcrPublicKey.clone();
        if ((pcrPublicKey == null) != (pcrSigner == null)) {
            throw new IllegalArgumentException("a signed UKI needs both the PCR public key and a PCR signer, "
                    + "an unsigned one neither");
        }
    }

    /** An unsigned Talos UKI without splash or extra profiles; add them with the {@code with...} methods. */
    public static UkiInputs of(Path stub, Path kernel, Path initrd, String cmdline, String version, Quirks quirks) {
        return new UkiInputs(stub, kernel, initrd, cmdline, TALOS, version, quirks, null, null, null, List.of());
    }

    public UkiInputs withOsName(String name) {
        return new UkiInputs(stub, kernel, initrd, cmdline, name, version, quirks, splash, pcrPublicKey, pcrSigner,
                extraProfiles);
    }

    public UkiInputs withSplash(Path bmp) {
        return new UkiInputs(stub, kernel, initrd, cmdline, osName, version, quirks, bmp, pcrPublicKey, pcrSigner,
                extraProfiles);
    }

    /** A signed build: {@code .pcrpkey} and one {@code .pcrsig} per profile. */
    public UkiInputs signed(byte[] publicKeyPem, PcrSigner signer) {
        return new UkiInputs(stub, kernel, initrd, cmdline, osName, version, quirks, splash,
                Objects.requireNonNull(publicKeyPem, "publicKeyPem"), Objects.requireNonNull(signer, "signer"),
                extraProfiles);
    }

    public UkiInputs withExtraProfiles(List<UkiProfile> profiles) {
        return new UkiInputs(stub, kernel, initrd, cmdline, osName, version, quirks, splash, pcrPublicKey, pcrSigner,
                profiles);
    }

    public boolean isSigned() {
        return pcrSigner != null;
    }

    @Override
    public byte[] pcrPublicKey() {
        return pcrPublicKey == null ? null : pcrPublicKey.clone();
    }
}
