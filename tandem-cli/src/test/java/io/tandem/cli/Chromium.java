package io.tandem.cli;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Debian's headless Chromium for the dashboard's browser tests, and what those tests read from the page. */
final class Chromium {

    private static final File CHROMIUM = new File("/usr/bin/chromium");
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");

    private Chromium() {
    }

    /** Skips the calling test, saying what to install, on a machine without Chromium and ChromeDriver. */
    static void assumeInstalled() {
        Assumptions.assumeTrue(CHROMIUM.canExecute() && CHROMEDRIVER.canExecute(),
                "browser tests need Chromium and ChromeDriver: apt-get install -y chromium chromium-driver");
    }

    /** A headless browser with a profile of its own under {@code dir}, offline apart from loopback. */
    static WebDriver start(Path dir) throws IOException {
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless=new",
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1400,900", "--user-data-dir=" + Files.createTempDirectory(dir, "chromium"));
        return new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
                .usingAnyFreePort().build(), options);
    }

    /**
     * A wait for a state of the page. The page re-renders as live rows and alerts arrive, so an element found may
     * be replaced before it is read: such a read is tried again.
     */
    static WebDriverWait waitFor(WebDriver browser) {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    /** The text of the Views page's rows, read in one script so that a live re-render cannot cut it half-way. */
    static String rowText(WebDriver browser) {
        return (String) ((JavascriptExecutor) browser).executeScript("return Array.from(document"
                + ".querySelectorAll('#views-table tbody tr'), r => r.innerText).join('\\n')");
    }
}
