package nn.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import nn.data.RealData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.interactions.PointerInput;
import org.openqa.selenium.interactions.Sequence;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * nn serve in a real browser: Debian's headless Chromium, driven through /usr/bin/chromedriver by
 * Selenium. Skipped (not passed) where those two are not installed; .ci/run installs them.
 * Screenshots of each page go to target/screenshots, or where -Dserve.screenshots=DIR says
 * (docs/img for the README's).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrowserTest {
    /** Debian's paths; -Dserve.chromium=... and -Dserve.chromedriver=... point elsewhere. */
    static final Path CHROMIUM = Path.of(System.getProperty("serve.chromium", "/usr/bin/chromium")),
            DRIVER = Path.of(System.getProperty("serve.chromedriver", "/usr/bin/chromedriver"));
    @TempDir static Path tmp;
    static Path runs;
    static WebApp app;
    static String base;
    static WebDriver driver;
    static String trainedRun;

    static final boolean BROWSER = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);

    /** Each test, not the class, is skipped without a browser: Maven then counts them as skipped. */
    @BeforeEach
    void needsTheBrowser() {
        assumeTrue(BROWSER, "browser tests need " + CHROMIUM + " and " + DRIVER + " (apt-get install chromium chromium-driver)");
    }

    @BeforeAll
    static void start() throws Exception {
        if (!BROWSER) return;
        runs = Files.createDirectories(tmp.resolve("runs"));
        Fixtures.finishedRun(runs, "20260101-120000-cnn", 5);
        Fixtures.interruptedRun(runs, "20260101-090000-cnn", 2);
        app = WebApp.start(new WebApp.Options("127.0.0.1", 0, runs, Path.of("data/models"), Fixtures.CNN));
        base = app.address().toString();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,960",
                "--user-data-dir=" + Files.createDirectories(tmp.resolve("profile")));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        if (driver != null) driver.quit();
        if (app != null) app.close();
    }

    private static WebDriverWait waiting(int seconds) {
        return new WebDriverWait(driver, Duration.ofSeconds(seconds), Duration.ofMillis(50));
    }

    private static String body(String attribute) {
        return driver.findElement(By.tagName("body")).getDomAttribute("data-" + attribute);
    }

    private static int answered() {
        String a = body("answered");
        return a == null ? 0 : Integer.parseInt(a);
    }

    /** Draws one stroke through the points (offsets from the pad's centre, in CSS pixels) and waits for the answer. */
    private static String stroke(int[][] points) {
        WebElement pad = driver.findElement(By.id("pad"));
        int before = answered();
        Actions a = new Actions(driver).moveToElement(pad, points[0][0], points[0][1]).clickAndHold();
        for (int i = 1; i < points.length; i++) a.moveByOffset(points[i][0] - points[i - 1][0], points[i][1] - points[i - 1][1]);
        a.release().perform();
        waiting(30).until(d -> answered() > before || body("error") != null);
        assertEquals(null, body("error"));
        return driver.findElement(By.id("prediction")).getText();
    }

    private static void screenshot(String name) throws IOException {
        Path dir = Path.of(System.getProperty("serve.screenshots", "target/screenshots"));
        Files.createDirectories(dir);
        Files.write(dir.resolve("serve-" + name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }

    private static void openDrawPage() {
        driver.get(base);
        waiting(30).until(d -> d.findElements(By.cssSelector("#model option")).size() > 0);
    }

    @Test
    @Order(1)
    void aVerticalStrokeIsAOne() {
        openDrawPage();
        int[][] line = new int[10][];
        for (int i = 0; i < line.length; i++) line[i] = new int[] {0, -90 + 20 * i};
        assertEquals("1", stroke(line));
    }

    @Test
    @Order(2)
    void aClosedLoopIsAZeroAndUndoAndClearWork() throws IOException {
        openDrawPage();
        int[][] loop = new int[37][];
        for (int i = 0; i < loop.length; i++) {
            double t = 2 * Math.PI * i / 36;
            loop[i] = new int[] {(int) Math.round(55 * Math.sin(t)), (int) Math.round(-85 * Math.cos(t))};
        }
        assertEquals("0", stroke(loop));
        screenshot("draw");
        int[][] tail = {{40, -80}, {40, 80}};
        stroke(tail);
        int before = answered();
        driver.findElement(By.id("undo")).click();
        waiting(30).until(d -> answered() > before);
        assertEquals("0", driver.findElement(By.id("prediction")).getText(), "undo takes the last stroke away");
        driver.findElement(By.id("clear")).click();
        assertEquals("–", driver.findElement(By.id("prediction")).getText());
    }

    @Test
    @Order(2)
    void aOneAndAZeroSideBySideAreTheNumberTen() {
        openDrawPage();
        int[][] one = new int[10][];
        for (int i = 0; i < one.length; i++) one[i] = new int[] {-140, -90 + 20 * i};
        assertEquals("1", stroke(one));
        int[][] zero = new int[37][];
        for (int i = 0; i < zero.length; i++) {
            double t = 2 * Math.PI * i / 36;
            zero[i] = new int[] {90 + (int) Math.round(55 * Math.sin(t)), (int) Math.round(-85 * Math.cos(t))};
        }
        assertEquals("10", stroke(zero));
    }

    @Test
    @Order(3)
    void anUploadedOrDroppedPhotoGetsTheSameAnswerAsNnPredict() throws IOException {
        openDrawPage();
        int before = answered();
        driver.findElement(By.id("photo")).sendKeys(Path.of("data/samples/digit7-blue-ink.jpg").toAbsolutePath().toString());
        waiting(30).until(d -> answered() > before || body("error") != null);
        assertEquals("7", driver.findElement(By.id("prediction")).getText());
        // Dropped on the pad: a drop event carrying the file, as a file manager sends it.
        int dropped = answered();
        ((JavascriptExecutor) driver).executeScript("const bytes = Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0));"
                + "const data = new DataTransfer(); data.items.add(new File([bytes], 'digit3.jpg', {type: 'image/jpeg'}));"
                + "document.getElementById('pad').dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));",
                java.util.Base64.getEncoder().encodeToString(Fixtures.sample("digit3-blue-ink.jpg")));
        waiting(30).until(d -> answered() > dropped || body("error") != null);
        assertEquals("3", driver.findElement(By.id("prediction")).getText());
    }

    @Test
    @Order(3)
    void aFingerOrAPenDrawsToo() {
        for (PointerInput.Kind kind : new PointerInput.Kind[] {PointerInput.Kind.TOUCH, PointerInput.Kind.PEN}) {
            openDrawPage();
            WebElement pad = driver.findElement(By.id("pad"));
            PointerInput finger = new PointerInput(kind, kind.name().toLowerCase());
            Sequence stroke = new Sequence(finger, 0);
            stroke.addAction(finger.createPointerMove(Duration.ZERO, PointerInput.Origin.fromElement(pad), 0, -90));
            stroke.addAction(finger.createPointerDown(PointerInput.MouseButton.LEFT.asArg()));
            for (int y = -70; y <= 90; y += 20) {
                stroke.addAction(finger.createPointerMove(Duration.ofMillis(20), PointerInput.Origin.fromElement(pad), 0, y));
            }
            stroke.addAction(finger.createPointerUp(PointerInput.MouseButton.LEFT.asArg()));
            ((JavascriptExecutor) driver).executeScript(
                    "document.getElementById('pad').addEventListener('pointerdown', e => window.pointerType = e.pointerType)");
            int before = answered();
            ((org.openqa.selenium.interactions.Interactive) driver).perform(List.of(stroke));
            waiting(30).until(d -> answered() > before || body("error") != null);
            assertEquals(kind.name().toLowerCase(), ((JavascriptExecutor) driver).executeScript("return window.pointerType"));
            assertEquals("1", driver.findElement(By.id("prediction")).getText(), kind.name());
        }
    }

    @Test
    @Order(4)
    void theNetworkPageShowsWeightsAndTheActivationsOfADrawnDigit() throws IOException {
        driver.get(base + "network");
        waiting(30).until(d -> "shown".equals(body("weights")));
        WebElement pad = driver.findElement(By.id("pad"));
        ((JavascriptExecutor) driver).executeScript("arguments[0].scrollIntoView({block: 'center'})", pad);
        new Actions(driver).moveToElement(pad, -40, -80).clickAndHold().moveByOffset(80, 0).moveByOffset(-60, 160).release().perform();
        waiting(30).until(d -> "shown".equals(body("activations")));
        ((JavascriptExecutor) driver).executeScript("window.scrollTo(0, 0)");
        screenshot("network");
    }

    @Test
    @Order(5)
    void theRunPageGainsPointsWhileNnTrainRunsWithoutAReload() throws Exception {
        CompletableFuture<Integer> training = CompletableFuture.supplyAsync(() -> nn.cli.Main.commandLine().execute("train",
                "--data-dir", RealData.SLICE_PARENT.toString(), "--hidden", "128", "--dropout", "0.2", "--batch-size", "32", "--limit", "3000",
                "--epochs", "8", "--out", runs.toString(), "--no-progress"));
        Path latest = runs.resolve("latest");
        long deadline = System.currentTimeMillis() + 60_000;
        while (!Files.isSymbolicLink(latest) && !Files.isRegularFile(latest) && System.currentTimeMillis() < deadline) Thread.sleep(50);
        trainedRun = latest.toRealPath().getFileName().toString();
        driver.get(base + "run/" + trainedRun);
        ((JavascriptExecutor) driver).executeScript("window.loadedOnce = 'yes';");
        List<Integer> seen = new ArrayList<>();
        boolean live = false;
        deadline = System.currentTimeMillis() + 300_000;
        while (System.currentTimeMillis() < deadline) {
            String p = body("points");
            if (p != null && (seen.isEmpty() || seen.get(seen.size() - 1) != Integer.parseInt(p))) seen.add(Integer.parseInt(p));
            if ("shown".equals(body("report"))) break;
            if (!live && p != null && Integer.parseInt(p) >= 2 && "running".equals(body("state"))) {
                screenshot("run-live");
                live = true;
            }
            Thread.sleep(50);
        }
        assertEquals(0, (int) training.get(), "nn train finished");
        assertEquals("shown", body("report"), "the report appeared once written");
        assertEquals("yes", ((JavascriptExecutor) driver).executeScript("return window.loadedOnce;"), "no reload");
        assertEquals(8, seen.get(seen.size() - 1), seen.toString());
        assertTrue(seen.size() >= 2, "the curve gained points while the page was open: " + seen);
        for (int i = 1; i < seen.size(); i++) assertTrue(seen.get(i) > seen.get(i - 1), seen.toString());
        assertEquals("finished", body("state"));
        ((JavascriptExecutor) driver).executeScript("window.scrollTo(0, 0)");
        screenshot("run");
        ((JavascriptExecutor) driver).executeScript("document.getElementById('report').scrollIntoView()");
        screenshot("run-report");
    }

    @Test
    @Order(6)
    void theRunsPageListsTheRunsAndOverlaysTwo() throws IOException {
        assumeTrue(trainedRun != null, "needs the run trained above");
        driver.get(base + "runs");
        waiting(30).until(d -> !d.findElements(By.cssSelector("tr[data-run='" + trainedRun + "']")).isEmpty());
        WebElement row = driver.findElement(By.cssSelector("tr[data-run='" + trainedRun + "']"));
        assertTrue(row.getText().contains("finished") && row.getText().contains("dense(128),relu,dropout(0.2)"), row.getText());
        row.findElement(By.cssSelector("input[type=checkbox]")).click();
        driver.findElement(By.cssSelector("tr[data-run='20260101-120000-cnn'] input[type=checkbox]")).click();
        waiting(30).until(d -> "2".equals(body("compared")));
        screenshot("runs");
    }

    @Test
    @Order(7)
    void withADropoutModelTheUncertaintyToggleShowsTheSpread() throws IOException {
        assumeTrue(trainedRun != null, "needs the run trained above");
        openDrawPage();
        WebElement toggle = driver.findElement(By.id("uncertainty"));
        assertTrue(!toggle.isEnabled(), "the cnn has no dropout");
        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("model"))).selectByValue("run:" + trainedRun);
        waiting(10).until(d -> toggle.isEnabled());
        toggle.click();
        int[][] line = {{0, -90}, {0, -30}, {0, 30}, {0, 90}};
        stroke(line);
        String unsure = driver.findElement(By.id("unsure")).getText();
        assertTrue(unsure.startsWith("± ") && unsure.contains("over 30 passes"), unsure);
        screenshot("draw-uncertainty");
    }
}
