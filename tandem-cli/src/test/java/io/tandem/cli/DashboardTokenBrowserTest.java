package io.tandem.cli;

import io.tandem.core.SecurityDef;
import io.tandem.core.TandemConfig;
import io.tandem.core.config.ConfigLoader;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import io.tandem.server.ServerOptions;
import io.tandem.server.TandemServer;
import io.tandem.server.auth.Scope;
import io.tandem.server.auth.Tokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard of a server started with an API token, in a real browser (Debian's Chromium and ChromeDriver):
 * the page loads without the token, asks for it once when the API answers 401, refuses a wrong one, then shows the
 * overview and follows a view's live stream with the token; a reload asks nothing (session storage).
 */
@Tag("browser")
class DashboardTokenBrowserTest {

    private String token;
    private String ingestOnly;

    @TempDir
    Path dir;
    Tandem tandem;
    TandemServer server;
    WebDriver browser;

    @BeforeEach
    void start() throws Exception {
        Chromium.assumeInstalled();
        TandemConfig config = ConfigLoader.parse(Files.readString(Path.of("../examples/market.yaml")),
                "market.yaml");
        Path tokens = dir.resolve("tokens.jsonl");
        token = Tokens.create(tokens, "dashboard", Set.of(Scope.READ)).secret();
        ingestOnly = Tokens.create(tokens, "producer", Set.of(Scope.INGEST)).secret();
        tandem = Tandem.start(config, TandemOptions.defaults(dir.resolve("data")).withPartitions(1));
        server = TandemServer.start(tandem, new ServerOptions("127.0.0.1", 0, ServerOptions.DEFAULT_MAX_BODY_BYTES,
                SecurityDef.tokens(tokens)));
        browser = Chromium.start(dir);
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
        WebDriverWait wait = Chromium.waitFor(browser);
        Instant minute = Instant.now();
        trade("TOK", 100.0, minute);

        // 1. the page itself loads without a token; its first API call answers 401 and the dialog asks
        browser.get(server.url() + "/#overview");
        WebElement dialog = wait.until(b -> visible(By.id("token-dialog")));
        assertThat(dialog.getText()).contains("API token");
        assertThat(browser.findElement(By.id("overview-accepted")).getText()).doesNotContain("accepted");

        // 2. a wrong token is refused and asked for again, and so is one without the read scope (403)
        submitToken("wrong");
        wait.until(b -> visible(By.id("token-dialog")) != null
                && b.findElement(By.id("token-message")).getText().contains("unknown API token"));
        submitToken(ingestOnly);
        wait.until(b -> visible(By.id("token-dialog")) != null
                && b.findElement(By.id("token-message")).getText().contains("lacks the scope 'read'"));

        // 3. the right one: the overview fills in from /v1/status, and the token is kept for this tab
        submitToken(token);
        wait.until(b -> b.findElement(By.id("overview-accepted")).getText().contains("1 accepted"));
        assertThat(browser.findElement(By.id("token-dialog")).isDisplayed()).isFalse();
        assertThat(((JavascriptExecutor) browser).executeScript("return sessionStorage.getItem('tandem.token')"))
                .isEqualTo(token);

        // 4. a reload asks nothing; the Views page queries the view and follows its live stream with the token
        browser.navigate().refresh();
        browser.get(server.url() + "/#views?view=trades_1m&symbol=TOK&measure=close");
        wait.until(b -> !b.findElements(By.cssSelector("#views-table tbody tr")).isEmpty());
        assertThat(Chromium.rowText(browser)).contains("TOK").contains("100");
        wait.until(b -> b.findElement(By.id("live-indicator")).getAttribute("data-state").equals("live"));
        trade("TOK", 101.5, minute);
        wait.until(b -> Chromium.rowText(browser).contains("101.5"));
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

    private void trade(String symbol, double price, Instant at) {
        String line = "{\"symbol\":\"" + symbol + "\",\"price\":" + price + ",\"qty\":10,\"trader\":\"t\",\"ts\":\""
                + at + "\"}";
        assertThat(tandem.ingest("trades", line.getBytes(StandardCharsets.UTF_8), null).accepted()).isEqualTo(1);
    }
}
