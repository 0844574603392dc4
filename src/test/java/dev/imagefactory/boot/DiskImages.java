package dev.imagefactory.boot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.tools.ProcessRunner;
import dev.imagefactory.tools.ProcessRunner.Command;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-side readers of served disk images, independent of the code that wrote them: downloads kept sparse (a 4 GiB
 * image is mostly holes), the partition table as {@code sfdisk --json} reads it, a partition cut out with
 * {@code dd} for {@code mdir}/{@code xfs_db}, files read from the ESP with mtools.
 */
final class DiskImages {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BLOCK = 1 << 16;
    static final ProcessRunner TOOLS = new ProcessRunner(Duration.ofMinutes(5));

    private DiskImages() {
    }

    /** GETs {@code uri} into {@code to}, skipping all-zero 64 KiB blocks so the file stays sparse; 200 required. */
    static Path download(URI uri, Path to) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body();
                FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
            if (response.statusCode() != 200) {
                throw new AssertionError(uri + " answered " + response.statusCode() + ": "
                        + new String(body.readNBytes(2000)));
            }
            byte[] block = new byte[BLOCK];
            long position = 0;
            while (true) {
                int n = body.readNBytes(block, 0, BLOCK);
                if (n == 0) {
                    break;
                }
                if (!allZero(block, n)) {
                    ByteBuffer buffer = ByteBuffer.wrap(block, 0, n);
                    long at = position;
                    while (buffer.hasRemaining()) {
                        at += out.write(buffer, at);
                    }
                }
                position += n;
            }
            out.truncate(position);
            if (out.size() < position) { // a trailing hole: extend without writing
                out.write(ByteBuffer.allocate(1), position - 1);
            }
        }
        return to;
    }

    /** {@code sfdisk --json}'s {@code partitiontable} object (512-byte sectors). */
    static JsonNode partitionTable(Path disk) throws IOException {
        return JSON.readTree(TOOLS.run(Command.of("sfdisk", "--json", disk.toString())).stdout()).get("partitiontable");
    }

    /** The partitions' names in disk order, as sfdisk reads them. */
    static List<String> names(JsonNode table) {
        List<String> names = new ArrayList<>();
        table.get("partitions").forEach(p -> names.add(p.path("name").asText()));
        return names;
    }

    /** Copies partition {@code index} (0-based, from sfdisk's table) of {@code disk} into its own sparse file. */
    static Path extract(Path disk, JsonNode table, int index, Path to) {
        JsonNode p = table.get("partitions").get(index);
        long sector = table.path("sectorsize").asLong(512);
        TOOLS.run(Command.of("dd", "if=" + disk, "of=" + to, "bs=1M", "skip=" + p.get("start").asLong() * sector,
                "count=" + p.get("size").asLong() * sector, "iflag=skip_bytes,count_bytes", "conv=sparse",
                "status=none"));
        return to;
    }

    /** The mtools listing ({@code mdir -/ -b}) of a FAT image. */
    static String fatListing(Path fat) {
        return TOOLS.run(Command.of("mdir", "-i", fat.toString(), "-/", "-b", "::")).stdout();
    }

    /** A file copied out of a FAT image. */
    static Path fatFile(Path fat, String path, Path to) {
        TOOLS.run(Command.of("mcopy", "-n", "-i", fat.toString(), "::/" + path, to.toString()));
        return to;
    }

    /** A PE section's bytes as objcopy extracts them (e.g. a UKI's {@code .cmdline}). */
    static String section(Path pe, String name, Path scratch) throws IOException {
        Path out = scratch.resolve("section" + name);
        TOOLS.run(Command.of("objcopy", "-O", "binary", "--only-section=" + name, pe.toString(), out.toString()));
        return Files.readString(out).replace("\0", "");
    }

    private static boolean allZero(byte[] block, int n) {
        for (int i = 0; i < n; i++) {
            if (block[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
