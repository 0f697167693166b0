package io.tandem.cli;

import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import io.tandem.server.ServerOptions;
import io.tandem.server.TandemServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard of a server started with an API token, in a real browser (Debian's Chromium and ChromeDriver):
 * the page loads without the token, asks for it once when the API answers 401, refuses a wrong one, then shows the
 * overview and follows a view's live stream with the token; a reload asks nothing (session storage).
 */
@Tag("browser")
class DashboardTokenBrowserTest {

    private static final File CHROMIUM = new File("/usr/bin/chromium");
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    private static final String TOKEN = "s3cret-token";

    @TempDir
    Path dir;
    Tandem tandem;
    TandemServer server;
    WebDriver browser;

    @BeforeEach
    void start() throws Exception {
        Assumptions.assumeTrue(CHROMIUM.canExecute() && CHROMEDRIVER.canExecute(),
                "browser tests need Chromium and ChromeDriver: apt-get install -y chromium chromium-driver");
        TandemConfig config = ConfigLoader.parse(Files.readString(Path.of("../examples/market.yaml")),
                "market.yaml");
        tandem = Tandem.start(config, TandemOptions.defaults(dir).withPartitions(1));
        server = TandemServer.start(tandem, new ServerOptions("127.0.0.1", 0, ServerOptions.DEFAULT_MAX_BODY_BYTES,
                TOKEN));
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless=new",
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1400,900", "--user-data-dir=" + Files.createTempDirectory(dir, "chromium"));
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
                .usingAnyFreePort().build(), options);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
            tandem.close();
        }
    }

    @Test
    void theDashboardAsksForTheTokenOnce_andUsesItForQueriesAndLiveStreams() {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        Instant minute = Instant.now();
        trade("TOK", 100.0, minute);

        // 1. the page itself loads without a token; its first API call answers 401 and the dialog asks
        browser.get(server.url() + "/#overview");
        WebElement dialog = wait.until(b -> visible(By.id("token-dialog")));
        assertThat(dialog.getText()).contains("API token");
        assertThat(browser.findElement(By.id("overview-accepted")).getText()).doesNotContain("accepted");

        // 2. a wrong token is refused and asked for again
        submitToken("wrong");
        wait.until(b -> visible(By.id("token-dialog")) != null
                && b.findElement(By.id("token-message")).getText().contains("refused"));

        // 3. the right one: the overview fills in from /v1/status, and the token is kept for this tab
        submitToken(TOKEN);
        wait.until(b -> b.findElement(By.id("overview-accepted")).getText().contains("1 accepted"));
        assertThat(browser.findElement(By.id("token-dialog")).isDisplayed()).isFalse();
        assertThat(((JavascriptExecutor) browser).executeScript("return sessionStorage.getItem('tandem.token')"))
                .isEqualTo(TOKEN);

        // 4. a reload asks nothing; the Views page queries the view and follows its live stream with the token
        browser.navigate().refresh();
        browser.get(server.url() + "/#views?view=trades_1m&symbol=TOK&measure=close");
        wait.until(b -> !b.findElements(By.cssSelector("#views-table tbody tr")).isEmpty());
        assertThat(rowText()).contains("TOK").contains("100");
        wait.until(b -> b.findElement(By.id("live-indicator")).getAttribute("data-state").equals("live"));
        trade("TOK", 101.5, minute);
        wait.until(b -> rowText().contains("101.5"));
        assertThat(browser.findElement(By.id("token-dialog")).isDisplayed()).isFalse();
    }

    private WebElement visible(By by) {
        List<WebElement> found = browser.findElements(by);
        return !found.isEmpty() && found.get(0).isDisplayed() ? found.get(0) : null;
    }

    private void submitToken(String token) {
        WebElement input = browser.findElement(By.id("token-input"));
        input.clear();
        input.sendKeys(token);
        browser.findElement(By.id("token-submit")).click();
    }

    private String rowText() {
        List<WebElement> rows = browser.findElements(By.cssSelector("#views-table tbody tr"));
        return rows.isEmpty() ? "" : rows.get(rows.size() - 1).getText() + "\n" + rows.get(0).getText();
    }

    private void trade(String symbol, double price, Instant at) {
        String line = "{\"symbol\":\"" + symbol + "\",\"price\":" + price + ",\"qty\":10,\"trader\":\"t\",\"ts\":\""
                + at + "\"}";
        assertThat(tandem.ingest("trades", line.getBytes(StandardCharsets.UTF_8), null).accepted()).isEqualTo(1);
    }
}
