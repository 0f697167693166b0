package io.tandem.cli;

import io.tandem.cli.gen.MarketGenerator;
import io.tandem.core.TandemConfig;
import io.tandem.engine.Tandem;
import io.tandem.engine.TandemOptions;
import io.tandem.server.ServerOptions;
import io.tandem.server.TandemServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in a real browser (Debian's Chromium and ChromeDriver) against a real server running the demo's
 * config, fed by the market generator: the overview fills in, the Views chart shows data and a live update, the
 * Alerts page lists the demo's rules, and an alert reaches the feed.
 */
@Tag("browser")
class DashboardBrowserTest {


    @TempDir
    Path dir;
    Tandem tandem;
    TandemServer server;
    WebDriver browser;
    Thread market;
    final AtomicBoolean trading = new AtomicBoolean(true);

    @BeforeEach
    void start() throws Exception {
        Chromium.assumeInstalled();
        TandemConfig config = DemoCommand.demoConfig();
        tandem = Tandem.start(config, TandemOptions.defaults(dir).withPartitions(1));
        server = TandemServer.start(tandem, ServerOptions.loopback(0));
        // 1. a market trading a few hundred times a second
        MarketGenerator generator = new MarketGenerator(config.streams().get("trades"), 50, 7);
        market = new Thread(() -> {
            while (trading.get()) {
                StringBuilder body = new StringBuilder();
                for (int i = 0; i < 50; i++) {
                    body.append(generator.nextJson(System.currentTimeMillis())).append('\n');
                }
                tandem.ingest("trades", body.toString().getBytes(StandardCharsets.UTF_8), null);
                sleep(100);
            }
        }, "market");
        market.start();
        browser = Chromium.start(dir);
    }

    @AfterEach
    void stop() throws InterruptedException {
        trading.set(false);
        if (market != null) {
            market.join();
        }
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
            tandem.close();
        }
    }

    @Test
    void theDashboardShowsBothPaths_liveRows_andAlerts() {
        WebDriverWait wait = Chromium.waitFor(browser);
        Instant minute = Instant.now();

        // 2. the overview fills in with the ingest rate
        browser.get(server.url() + "/#overview");
        wait.until(b -> b.findElement(By.id("overview-ingest-rate")).getText().matches(".*\\d.*"));
        assertThat(browser.findElement(By.id("page-overview")).isDisplayed()).isTrue();
        // the demo's one report has not failed
        wait.until(b -> b.findElement(By.id("overview-reports")).getText().equals("ok"));
        assertThat(browser.findElement(By.id("overview-reports-detail")).getText()).isEqualTo("1 report, none failing");
        // the plan: each workload's path and the rule that decided it
        By coldRow = By.cssSelector("#overview-plan tr[data-workload='view:traders_1h']");
        WebElement cold = wait.until(b -> b.findElements(coldRow).stream().findFirst().orElse(null));
        assertThat(cold.getText()).contains("cold", "cold: no user waiting, volume 1000000/day > 10K");
        assertThat(browser.findElement(By.cssSelector("#overview-plan tr[data-workload='view:trades_1m']")).getText())
                .contains("hot+cold", "hot+cold: user waiting");
        // the query cache's card counts the queries asked so far
        wait.until(b -> b.findElement(By.id("overview-query-cache-detail")).getText().contains(" hits · "));

        // 3. the Views page charts a symbol and lists its rows
        trade("ZZZ", 100.0, minute);
        browser.get(server.url() + "/#views?view=trades_1m&symbol=ZZZ&measure=close");
        wait.until(b -> !b.findElements(By.cssSelector("#views-chart canvas")).isEmpty()
                && !b.findElements(By.cssSelector("#views-table tbody tr")).isEmpty());
        assertThat(Chromium.rowText(browser)).contains("ZZZ").contains("100");

        // 4. a new trade for it arrives over the live stream, without a reload
        trade("ZZZ", 101.5, minute);
        wait.until(b -> Chromium.rowText(browser).contains("101.5"));

        // 5. in the same minute (so the same bucket and open), a 6 % jump fires price_jump, which shows in the
        //    live feed with its rule and why
        browser.get(server.url() + "/#alerts");
        wait.until(b -> b.findElement(By.id("live-indicator")).getAttribute("data-state").equals("live"));
        wait.until(b -> b.findElements(By.cssSelector("#alerts-rules .rule")).size() == 2);
        assertThat(browser.findElements(By.cssSelector("#alerts-rules .rule")))
                .extracting(r -> r.getAttribute("data-rule")).containsExactly("price_jump", "volume_spike");
        assertThat(browser.findElement(By.cssSelector("#alerts-rules .rule[data-rule=price_jump]")).getText())
                .contains("close > open * 1.02");
        trade("ZZZ", 106.0, minute);
        WebElement alert = wait.until(b -> b.findElements(By.cssSelector("#alerts-feed .alert[data-rule=price_jump]"))
                .stream().findFirst().orElse(null));
        assertThat(alert.getText()).contains("price_jump").contains("ZZZ");

        // 6. the Analyses page lists the demo's analysis, follows the live feed and shows the deep pass's queue
        browser.get(server.url() + "/#analyses");
        wait.until(b -> b.findElement(By.id("live-indicator")).getAttribute("data-state").equals("live"));
        assertThat(wait.until(b -> b.findElements(By.cssSelector("#analyses-defs .rule[data-analysis=volume_anomaly]"))
                .stream().findFirst().orElse(null)).getText()).contains("trades_1m.volume per symbol");
        wait.until(b -> b.findElement(By.id("analyses-status")).getText().startsWith("deep pass: "));
    }

    private void trade(String symbol, double price, Instant at) {
        String line = "{\"symbol\":\"" + symbol + "\",\"price\":" + price + ",\"qty\":10,\"trader\":\"t\",\"ts\":\""
                + at + "\"}";
        tandem.ingest("trades", line.getBytes(StandardCharsets.UTF_8), null);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
