package dev.imagefactory.ui;

import dev.imagefactory.build.AssetPath;
import dev.imagefactory.build.AssetService;
import dev.imagefactory.build.PlanScheduler;
import dev.imagefactory.config.FactoryConfig;
import dev.imagefactory.model.Quirks;
import dev.imagefactory.model.TalosVersion;
import dev.imagefactory.schematic.CanonicalSchematic;
import dev.imagefactory.ui.ViewModels.CacheState;
import dev.imagefactory.ui.ViewModels.Copyable;
import dev.imagefactory.ui.ViewModels.Download;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The wizard's last page: the schematic (ID and YAML) and, for the chosen version, platform, architecture and
 * SecureBoot, the downloads for first boot with their checksum links and whether each is built already (asked of
 * the artifact cache through the build plan, which builds nothing), the installer image references and the
 * commands to use them.
 */
@ApplicationScoped
public class FinalPage {

    private static final Logger LOG = Logger.getLogger(FinalPage.class);

    private final AssetService assets;
    private final PlanScheduler scheduler;
    private final FactoryConfig config;

    @Inject
    public FinalPage(AssetService assets, PlanScheduler scheduler, FactoryConfig config) {
        this.assets = assets;
        this.scheduler = scheduler;
        this.config = config;
    }

    void fill(WizardPage page, WizardState state) {
        CanonicalSchematic schematic = assets.schematic(state.schematicId());
        TalosVersion version = TalosVersion.parse(state.version());
        Quirks quirks = Quirks.of(version);
        String v = version.toString();
        String id = schematic.id().value();
        String base = trimSlash(config.externalUrl());
        String pxeBase = trimSlash(config.externalPxeUrl().orElse(config.externalUrl()));
        String arch = state.arch();
        String sb = state.secureBoot() ? "-secureboot" : "";
        String platform = state.isCloud() ? state.platform() : "metal";
        String rawSuffix = quirks.useZstdCompression() ? ".raw.zst" : ".raw.xz";

        page.schematicId = id;
        page.schematicYaml = schematic.canonicalText();
        page.version = v;
        List<String[]> wanted = new ArrayList<>();
        if (state.isCloud()) {
            CloudPlatform cloud = CloudPlatform.named(platform).orElseThrow();
            wanted.add(new String[] {"disk-image", platform + "-" + arch + sb + cloud.diskSuffix()});
            if (cloud.iso()) {
                wanted.add(new String[] {"iso", platform + "-" + arch + sb + ".iso"});
            }
        } else if (state.isSbc()) {
            wanted.add(new String[] {"disk-image", "metal-" + arch + rawSuffix});
        } else {
            wanted.add(new String[] {"iso", "metal-" + arch + sb + ".iso"});
            wanted.add(new String[] {"disk-image", "metal-" + arch + sb + rawSuffix});
            wanted.add(new String[] {"qcow2", "metal-" + arch + sb + ".qcow2"});
            if (state.secureBoot()) {
                wanted.add(new String[] {"uki", "metal-" + arch + sb + "-uki.efi"});
            } else {
                wanted.add(new String[] {"kernel", "kernel-" + arch});
                wanted.add(new String[] {"cmdline", "cmdline-metal-" + arch});
                wanted.add(new String[] {"initramfs", "initramfs-" + arch + ".xz"});
                if (quirks.supportsUki()) {
                    wanted.add(new String[] {"uki", "metal-" + arch + "-uki.efi"});
                }
            }
            page.pxeUrl = pxeBase + "/pxe/" + id + "/" + v + "/metal-" + arch + sb;
        }
        for (String[] w : wanted) {
            String url = base + "/image/" + id + "/" + v + "/" + w[1];
            page.downloads.add(new Download(w[0], url, url + ".sha256", w[1], cacheState(schematic, v, w[1])));
        }

        String host = URI.create(base).getAuthority();
        String installerName = quirks.supportsUnifiedInstaller() ? platform + "-installer" + sb : "installer" + sb;
        String installer = host + "/" + installerName + "/" + id + ":" + v;
        page.installers.add(new Copyable("installer", installer));

        page.commands.add(new Copyable("create-schematic", "curl -X POST --data-binary @schematic.yaml " + base
                + "/schematics"));
        Download first = page.downloads.get(0);
        page.commands.add(new Copyable("download", "curl -fLO " + first.url()));
        page.commands.add(new Copyable("verify", "curl -fsSL " + first.checksumUrl() + " | sha256sum --check"));
        page.commands.add(new Copyable("upgrade", "talosctl upgrade --image " + installer));
        if (quirks.supportsFactoryTalosctlDownload()) {
            page.commands.add(new Copyable("talosctl", "curl -fLo talosctl " + base + "/talosctl/" + v
                    + "/talosctl-linux-" + arch + " && chmod +x talosctl"));
        }
        page.editUrl = state.withStep(Step.EXTENSIONS.id()).withoutSchematic().url();
    }

    /** Asked of the cache through the build plan (a HEAD of the download would build it). */
    private CacheState cacheState(CanonicalSchematic schematic, String version, String path) {
        try {
            return scheduler.isCached(assets.plan(assets.request(schematic, version, AssetPath.parse(path))))
                    ? CacheState.CACHED : CacheState.NOT_CACHED;
        } catch (RuntimeException e) {
            LOG.debugf(e, "cache state of %s unknown", path);
            return CacheState.UNKNOWN;
        }
    }

    private static String trimSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
