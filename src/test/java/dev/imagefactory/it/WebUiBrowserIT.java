package dev.imagefactory.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.deque.html.axecore.results.Results;
import com.deque.html.axecore.results.Rule;
import com.deque.html.axecore.selenium.AxeBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefactory.boot.SnakeoilKeys;
import dev.imagefactory.boot.StandinRelease;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in a real browser: Debian's Chromium (headless) driven by chromium-driver through Selenium, against the
 * packaged service on the stand-in release. Three walks (bare metal amd64 with two extensions and a kernel arg, a
 * cloud platform, the stand-in board with overlay options) with JavaScript (htmx) and the first again without; each
 * final page's ID must equal what {@code POST /schematics} answers for the same YAML, and every download and checksum
 * link must answer its HEAD with 200. Every step passes axe-core without serious or critical violations, in the light
 * and the dark theme, and is photographed in both into {@code target/ui-screenshots/}. Reload and back are checked on
 * the way. One service and one browser per JavaScript setting keep it to about two minutes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebUiBrowserIT {

    private static final String VERSION = StandinRelease.V1_12;
    private static final Path SCREENSHOTS = Path.of("target/ui-screenshots");
    private static final Duration STEP_WAIT = Duration.ofSeconds(20);

    private ServiceProcess service;
    private String base;
    private ChromeDriver browser;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> axeFindings = new ArrayList<>();

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        long started = System.nanoTime();
        Path releases = StandinRelease.ensure();
        List<String> properties = new ArrayList<>(List.of("factory.releases.dir=" + releases,
                "factory.external-url=http://127.0.0.1:{port}"));
        SnakeoilKeys.config().forEach((k, v) -> properties.add(k + "=" + v));
        service = ServiceProcess.start(tmp.resolve("data"), tmp.resolve("service.log"), properties.toArray(String[]::new));
        base = "http://127.0.0.1:" + service.port;
        Files.createDirectories(SCREENSHOTS);
        browser = chromium(tmp.resolve("chromium-profile"), true);
        System.out.printf("WebUiBrowserIT: service and browser up after %d s%n", (System.nanoTime() - started) / 1_000_000_000);
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (service != null) {
            service.close();
        }
    }

    /** Debian's chromium and chromium-driver, never a downloaded one; a fresh profile; JavaScript on or off. */
    static ChromeDriver chromium(Path profile, boolean javascript) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(new File("/usr/bin/chromium"));
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=1280,1400", "--user-data-dir=" + profile);
        if (!javascript) {
            options.setExperimentalOption("prefs", Map.of("profile.managed_default_content_settings.javascript", 2));
        }
        ChromeDriverService driver = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        return new ChromeDriver(driver, options);
    }

    @Test
    void bareMetalWithTwoExtensionsAndAKernelArgThenTheSameWithoutJavaScript(@TempDir Path tmp) throws Exception {
        browser.get(base + "/");
        step(browser, "hardware", "metal");
        assertEquals("metal", checked(browser, "target"));
        next(browser);

        step(browser, "version", "metal");
        assertEquals(VERSION, checked(browser, "version"), "the latest stable version is preselected");
        next(browser);

        step(browser, "arch", "metal");
        assertFalse(browser.findElements(By.name("secureboot")).isEmpty(), "SecureBoot is offered for metal");
        choose(browser, "arch", "amd64");
        next(browser);

        step(browser, "extensions", "metal");
        // the live search (htmx) narrows the list while typing, and keeps what is selected
        browser.findElement(By.cssSelector("input[value='standin/dummy-module']")).click();
        browser.findElement(By.id("extension-search")).sendKeys("microcode");
        new WebDriverWait(browser, STEP_WAIT).until(d -> d.findElements(By.cssSelector("input[value='standin/usr-local-tools']")).isEmpty());
        assertTrue(browser.findElement(By.cssSelector("input[value='standin/dummy-module']")).isSelected(),
                "a selected extension stays visible and selected");
        browser.findElement(By.cssSelector("input[value='standin/intel-ucode']")).click();
        next(browser);

        step(browser, "customization", "metal");
        String customization = browser.getCurrentUrl();
        assertTrue(customization.contains("extensions=standin%2Fdummy-module") && customization.contains("extensions=standin%2Fintel-ucode"),
                customization);
        browser.navigate().refresh();
        waitForStep(browser, "customization");
        assertEquals(customization, browser.getCurrentUrl(), "a reload stays on the step with its selections");
        assertTrue(browser.findElement(By.tagName("main")).getText().contains("standin/intel-ucode"));
        browser.navigate().back();
        waitForStep(browser, "extensions");
        browser.navigate().forward();
        waitForStep(browser, "customization");
        browser.findElement(By.cssSelector("a[rel=prev]")).click();
        waitForStep(browser, "extensions");
        assertTrue(browser.findElement(By.cssSelector("input[value='standin/intel-ucode']")).isSelected(),
                "the page's back button keeps the selections");
        assertTrue(browser.findElement(By.cssSelector("input[value='standin/dummy-module']")).isSelected());
        next(browser);
        waitForStep(browser, "customization");
        browser.findElement(By.id("cmdline")).sendKeys("a'b");
        submit(browser);
        new WebDriverWait(browser, STEP_WAIT).until(d -> !d.findElements(By.id("cmdline-error")).isEmpty());
        assertTrue(browser.findElement(By.id("cmdline-error")).getText().contains("kernel argument"),
                "the refusal is shown next to the field");
        step(browser, "customization-error", "metal");
        browser.findElement(By.id("cmdline")).clear();
        browser.findElement(By.id("cmdline")).sendKeys("net.ifnames=0 console=ttyS1");
        submit(browser);

        String id = finalPage(browser, "metal", """
                customization:
                  extraKernelArgs: [net.ifnames=0, console=ttyS1]
                  systemExtensions:
                    officialExtensions: [standin/dummy-module, standin/intel-ucode]
                """);
        List<String> paths = browser.findElements(By.cssSelector("tr[data-path]")).stream()
                .map(row -> row.getAttribute("data-path")).toList();
        assertTrue(paths.containsAll(List.of("metal-amd64.iso", "metal-amd64.raw.zst", "kernel-amd64",
                "initramfs-amd64.xz", "metal-amd64-uki.efi")), paths.toString());
        assertTrue(valueOf(browser, "installer-0").endsWith("/metal-installer/" + id + ":" + VERSION));
        assertTrue(valueOf(browser, "pxe-url").endsWith("/pxe/" + id + "/" + VERSION + "/metal-amd64"));
        browser.navigate().refresh();
        waitForStep(browser, "final");
        assertEquals(id, valueOf(browser, "schematic-id-value"), "the final page reloads");

        // the same walk as plain forms
        ChromeDriver plain = chromium(tmp.resolve("plain-profile"), false);
        try {
            plain.get(base + "/");
            waitForStep(plain, "hardware");
            next(plain);
            waitForStep(plain, "version");
            next(plain);
            waitForStep(plain, "arch");
            choose(plain, "arch", "amd64");
            next(plain);
            waitForStep(plain, "extensions");
            plain.findElement(By.id("extension-search")).sendKeys("ucode");
            plain.findElement(By.cssSelector("button[value=extensions]")).click();
            waitFor(plain, d -> d.findElements(By.cssSelector("input[value='standin/usr-local-tools']")).isEmpty());
            plain.findElement(By.cssSelector("input[value='standin/intel-ucode']")).click();
            plain.findElement(By.id("extension-search")).clear();
            plain.findElement(By.cssSelector("button[value=extensions]")).click();
            waitFor(plain, d -> !d.findElements(By.cssSelector("input[value='standin/dummy-module']")).isEmpty());
            plain.findElement(By.cssSelector("input[value='standin/dummy-module']")).click();
            next(plain);
            waitForStep(plain, "customization");
            plain.findElement(By.id("cmdline")).sendKeys("net.ifnames=0 console=ttyS1");
            submit(plain);
            waitForStep(plain, "final");
            assertEquals(id, valueOf(plain, "schematic-id-value"), "the same final page without JavaScript");
            assertFalse(plain.findElement(By.cssSelector("button.copy")).isDisplayed(), "script-only buttons stay hidden");
            screenshot(plain, "metal-nojs-final", false);
        } finally {
            plain.quit();
        }
        assertEquals(List.of(), axeFindings, "axe-core: serious or critical violations");
    }

    @Test
    void cloudPlatform() throws Exception {
        browser.get(base + "/");
        waitForStep(browser, "hardware");
        choose(browser, "target", "cloud");
        next(browser);
        step(browser, "version", "cloud");
        next(browser);
        step(browser, "platform", "cloud");
        choose(browser, "platform", "exoscale");
        next(browser);
        step(browser, "arch", "cloud");
        choose(browser, "arch", "amd64");
        next(browser);
        waitForStep(browser, "extensions");
        next(browser);
        waitForStep(browser, "customization");
        submit(browser);
        // "Build now" starts the build (POST /builds) and follows its events until the download shows as built
        waitForStep(browser, "final");
        WebElement build = browser.findElement(By.cssSelector("button.build"));
        assertTrue(build.isDisplayed(), "the build button shows when scripts run");
        build.click();
        new WebDriverWait(browser, Duration.ofMinutes(2)).until(d -> !d.findElements(By.cssSelector(".badge[data-state=cached]")).isEmpty());
        WebElement progress = browser.findElement(By.cssSelector("progress.build-progress"));
        assertEquals(progress.getAttribute("max"), progress.getAttribute("value"), "the progress bar is full");
        String id = finalPage(browser, "cloud", "customization: {}\n");
        assertTrue(valueOf(browser, "installer-0").endsWith("/exoscale-installer/" + id + ":" + VERSION));
        assertEquals(List.of(), axeFindings, "axe-core: serious or critical violations");
    }

    @Test
    void standinBoardWithOverlayOptions() throws Exception {
        browser.get(base + "/");
        waitForStep(browser, "hardware");
        choose(browser, "target", "sbc");
        next(browser);
        step(browser, "version", "sbc");
        next(browser);
        step(browser, "platform", "sbc");
        choose(browser, "board", "standin-board");
        next(browser);
        // one architecture and no SecureBoot for boards: the architecture step is skipped
        step(browser, "extensions", "sbc");
        next(browser);
        step(browser, "customization", "sbc");
        browser.findElement(By.id("overlay-options")).sendKeys("configTxtAppend: dtoverlay=standin");
        submit(browser);
        String overlayImage = json.readTree(get("/version/" + VERSION + "/overlays/official")).get(0).get("image").asText();
        String id = finalPage(browser, "sbc", """
                overlay:
                  image: %s
                  name: standin-board
                  options:
                    configTxtAppend: dtoverlay=standin
                customization: {}
                """.formatted(overlayImage));
        assertTrue(browser.getCurrentUrl().contains("arch=arm64"), "the implied architecture is in the URL: " + browser.getCurrentUrl());
        assertTrue(browser.findElements(By.cssSelector("tr[data-path]")).stream().anyMatch(r -> r.getAttribute("data-path").equals("metal-arm64.raw.zst")));
        assertTrue(valueOf(browser, "installer-0").endsWith("/metal-installer/" + id + ":" + VERSION));
        assertEquals(List.of(), axeFindings, "axe-core: serious or critical violations");
    }

    /**
     * The final page: its ID is what {@code POST /schematics} gives the same YAML; every download and checksum link
     * answers HEAD with 200 (two at a time: the downloads are built on their first request).
     */
    private String finalPage(WebDriver driver, String walk, String yaml) throws Exception {
        step(driver, "final", walk);
        String shown = valueOf(driver, "schematic-id-value");
        String posted = json.readTree(post("/schematics", yaml)).get("id").asText();
        assertEquals(posted, shown, "the ID shown is the one POST /schematics gives the same YAML");
        List<String> links = Stream.concat(driver.findElements(By.cssSelector("a.download")).stream(),
                driver.findElements(By.cssSelector("a.checksum")).stream()).map(a -> a.getAttribute("href")).toList();
        assertFalse(links.isEmpty());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (String link : links) {
                answers.add(pool.submit(() -> head(link) + " " + link));
            }
            List<String> refused = new ArrayList<>();
            for (Future<String> answer : answers) {
                String line = answer.get();
                if (!line.startsWith("200 ")) {
                    refused.add(line);
                }
            }
            assertEquals(List.of(), refused, "download links that do not answer 200");
        } finally {
            pool.shutdownNow();
        }
        driver.navigate().refresh();
        waitForStep(driver, "final");
        List<String> states = driver.findElements(By.cssSelector(".badge[data-state]")).stream()
                .map(b -> b.getAttribute("data-state")).distinct().toList();
        assertEquals(List.of("cached"), states, "after the HEADs every download shows as built");
        return shown;
    }

    /** Waits for the step, then checks it with axe-core and photographs it, in the light and the dark theme. */
    private void step(WebDriver driver, String step, String walk) {
        String stepId = step.replace("-error", "");
        waitForStep(driver, stepId);
        for (boolean dark : new boolean[] {false, true}) {
            theme((ChromeDriver) driver, dark);
            Results results = new AxeBuilder().analyze(driver);
            for (Rule violation : results.getViolations()) {
                if ("serious".equals(violation.getImpact()) || "critical".equals(violation.getImpact())) {
                    axeFindings.add(walk + "/" + step + (dark ? " (dark)" : "") + ": " + violation.getId() + " "
                            + violation.getNodes().stream().map(n -> String.valueOf(n.getTarget())).collect(Collectors.joining(", ")));
                }
            }
            screenshot(driver, walk + "-" + step, dark);
        }
        theme((ChromeDriver) driver, false);
    }

    private static void theme(ChromeDriver driver, boolean dark) {
        driver.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features",
                List.of(Map.of("name", "prefers-color-scheme", "value", dark ? "dark" : "light"))));
    }

    private static void screenshot(WebDriver driver, String name, boolean dark) {
        try {
            Path shot = ((ChromeDriver) driver).getScreenshotAs(OutputType.FILE).toPath();
            Files.move(shot, SCREENSHOTS.resolve(name + (dark ? "-dark" : "-light") + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void waitForStep(WebDriver driver, String step) {
        waitFor(driver, d -> !d.findElements(By.cssSelector("#wizard > .step[data-step='" + step + "']")).isEmpty()
                && settled(d));
        String url = driver.getCurrentUrl();
        if (!step.equals("hardware")) {
            assertTrue(url.contains("?"), "the step's state is in the URL: " + url);
        }
    }

    /** Once htmx has settled (no request in flight); without JavaScript, once the page is there. */
    private static boolean settled(WebDriver driver) {
        try {
            return !Boolean.TRUE.equals(((JavascriptExecutor) driver)
                    .executeScript("return document.querySelector('.htmx-request') !== null"));
        } catch (RuntimeException e) {
            return true; // scripts are off
        }
    }

    private static void waitFor(WebDriver driver, java.util.function.Function<WebDriver, Boolean> condition) {
        new WebDriverWait(driver, STEP_WAIT).until(condition::apply);
    }

    private static void next(WebDriver driver) {
        driver.findElement(By.cssSelector("#wizard button.primary")).click();
    }

    private static void submit(WebDriver driver) {
        driver.findElement(By.cssSelector("#wizard button.primary")).click();
    }

    private static void choose(WebDriver driver, String name, String value) {
        driver.findElement(By.cssSelector("input[name='" + name + "'][value='" + value + "']")).click();
    }

    private static String checked(WebDriver driver, String name) {
        WebElement checked = driver.findElement(By.cssSelector("input[name='" + name + "']:checked"));
        return checked.getAttribute("value");
    }

    private static String valueOf(WebDriver driver, String id) {
        return driver.findElement(By.id(id)).getAttribute("value");
    }

    private String get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    private String post(String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
        return r.body();
    }

    private int head(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofMinutes(3)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
