package io.datamanager.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.datamanager.model.Json;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The web console in a real browser against the whole platform as processes (capture, streams-app, history-sink,
 * gateway): a scripted mistake found through the change list, its diff, undone through the dry run and a forced
 * apply over a row edited later, checked in the database; a subscription made with the form and a live change in
 * its tail; a webhook's dead letters and secret rotation; and a read token that sees the as-of view but is shown no
 * undo and refused one by the server. Screenshots of each screen go to
 * {@code target/console-screenshots}. On the shared stack the tables {@code orders} and {@code docs} and the
 * {@code console-*} subscriptions are its alone; the tables page lists the other classes' tables too.
 */
@ExtendWith(SharedStack.class)
class ConsoleIT {
    private static Stack stack;
    private static Browser browser;

    @BeforeAll
    static void start(Stack shared) throws Exception {
        Assumptions.assumeTrue(Browser.available(), "ConsoleIT needs Debian's chromium and chromium-driver ("
                + Browser.CHROMIUM + ", " + Browser.CHROMEDRIVER + "): apt-get install chromium chromium-driver; .ci/run installs them");
        stack = shared;
        Path target = Path.of(System.getProperty("dmtest.workdir", "target/dm-test")).getParent();
        browser = new Browser(stack.work.resolve("chromium-" + stack.prefix), target.resolve("console-screenshots"));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
    }

    @Test
    void aMistakeIsFoundInTheChangeListSeenAsADiffAndUndoneOverALaterEdit() throws Exception {
        stack.sql("INSERT INTO orders SELECT g, 'new', NULL FROM generate_series(10, 14) g");
        stack.sql("UPDATE orders SET status = 'cancelled' WHERE id BETWEEN 11 AND 13"); // the mistake: one transaction
        stack.sql("UPDATE orders SET note = 'customer called' WHERE id = 12");           // someone edits a row later
        awaitVersions(12, 3);

        signIn(stack.token);
        browser.open(stack.gatewayUrl() + "/#/tables");
        browser.await(By.cssSelector("#tables a"));
        // every table history holds, in its order (other classes' tables too, on the shared stack), this one among them
        java.util.List<String> tables = new java.util.ArrayList<>();
        Json.tree(stack.api("GET", "/api/tables", null).body().getBytes(StandardCharsets.UTF_8), "tables")
                .forEach(t -> tables.add(t.path("table").asText()));
        assertThat(browser.all(By.cssSelector("#tables a"))).extracting(WebElement::getText).containsExactlyElementsOf(tables)
                .contains("public.orders");
        browser.screenshot("01-tables");

        // the transactions list shows the mistake in one look: three updates in one transaction
        browser.await(By.linkText("Transactions")).click();
        WebElement mistakeTx = browser.awaitValue(() -> browser.all(By.cssSelector("#transactions tbody tr")).stream()
                .filter(r -> r.getText().contains("public.orders: 3 update")).findFirst().orElse(null));
        browser.screenshot("01-transactions");
        mistakeTx.findElement(By.cssSelector("th a")).click();
        assertThat(browser.await(By.cssSelector("#tx-summary tbody")).getText()).isEqualTo("public.orders 0 3 0 0");
        assertThat(browser.all(By.cssSelector("#tx-changes tbody tr"))).hasSize(3);
        browser.open(stack.gatewayUrl() + "/#/tables");

        browser.await(By.linkText("public.orders")).click();
        browser.await(By.id("pk-id")).sendKeys("12");
        new Select(browser.await(By.id("changed"))).selectByValue("status");
        new Select(browser.await(By.id("op"))).selectByValue("update");
        browser.await(By.cssSelector("#filters button[type=submit]")).click();
        // the filtered list replaces the whole one: only the mistake changed row 12's status
        WebElement found = browser.awaitValue(() -> browser.all(By.cssSelector("#changes tbody tr")).size() == 1
                ? browser.await(By.cssSelector("#changes tbody th a")) : null);
        assertThat(found.getText()).isEqualTo("id=12");
        assertThat(browser.await(By.cssSelector("#changes tbody tr")).getText()).contains("update").contains("status");
        browser.screenshot("02-changes-filtered");
        browser.width(390, 844);
        browser.screenshot("02-changes-filtered-phone");
        browser.width(1280, 900);

        found.click();
        WebElement mistake = browser.await(By.cssSelector("article.version.focused"));
        assertThat(mistake.findElement(By.cssSelector("tr[data-column=status]")).getAttribute("class")).isEqualTo("changed");
        assertThat(mistake.findElement(By.cssSelector("tr[data-column=status] td.before")).getText()).isEqualTo("new");
        assertThat(mistake.findElement(By.cssSelector("tr[data-column=status] td.after")).getText()).isEqualTo("cancelled");
        assertThat(mistake.findElement(By.cssSelector("tr[data-column=note]")).getAttribute("class")).isNullOrEmpty();
        browser.screenshot("03-row-timeline-diff");

        mistake.findElement(By.partialLinkText("Undo transaction")).click();
        WebElement conflict = browser.await(By.cssSelector("#plan article.conflict[data-reason=changed-later]"));
        assertThat(conflict.findElement(By.tagName("h3")).getText()).contains("public.orders id=12");
        assertThat(conflict.getText()).contains("changed again after").contains("customer called");
        assertThat(browser.await(By.id("restore-sql")).getText()).contains("UPDATE");
        assertThat(browser.await(By.id("restore-summary")).getText()).contains("public.orders");
        WebElement apply = browser.await(By.id("apply"));
        assertThat(apply.isEnabled()).as("a conflict needs the box ticked first").isFalse();
        browser.screenshot("04-undo-dry-run");

        browser.await(By.id("force")).click();
        apply.click();
        assertThat(browser.await(By.id("confirm-text")).getText()).contains("public.orders: update 3 rows");
        browser.await(By.id("confirm-apply")).click();
        WebElement restored = browser.await(By.id("restored"));
        assertThat(browser.await(By.id("restore-tx")).getText()).matches("[0-9]+");
        browser.screenshot("05-undo-applied");
        assertThat(restored.getText()).contains("Restored");
        assertThat(stack.query("SELECT string_agg(status || '/' || coalesce(note, '-'), ',' ORDER BY id) FROM orders WHERE id BETWEEN 10 AND 14"))
                .isEqualTo("new/-,new/-,new/-,new/-,new/-");
    }

    @Test
    void aBatchJobsChangesOverManyTransactionsAreUndoneTogetherFromTheFilteredList() throws Exception {
        stack.sql("INSERT INTO orders SELECT g, 'new', NULL FROM generate_series(40, 42) g");
        awaitVersions(42, 1);
        String since = stack.query("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')");
        for (int id = 40; id <= 42; id++) {
            stack.sql("UPDATE orders SET note = 'batch job' WHERE id = " + id); // one transaction each
        }
        for (int id = 40; id <= 42; id++) {
            awaitVersions(id, 2);
        }

        signIn(stack.token);
        browser.open(stack.gatewayUrl() + "/#/changes?table=public.orders&changed=note&since=" + URLEncoder.encode(since, StandardCharsets.UTF_8));
        browser.awaitValue(() -> browser.all(By.cssSelector("#changes tbody tr")).size() == 3 ? true : null);
        browser.await(By.id("undo-window")).click();
        assertThat(browser.await(By.cssSelector("#restore-summary tbody")).getText()).contains("public.orders 0 3 0");
        assertThat(browser.all(By.id("force"))).as("no later edits: nothing to overwrite").isEmpty();
        browser.await(By.id("apply")).click();
        browser.await(By.id("confirm-apply")).click();
        browser.await(By.id("restored"));
        assertThat(stack.query("SELECT count(*) FROM orders WHERE id BETWEEN 40 AND 42 AND note IS NULL")).isEqualTo("3");
    }

    @Test
    void aTransactionsContextIsShownAsWhoAndWhyAndFiltersTheChanges() throws Exception {
        stack.sql("INSERT INTO orders VALUES (60, 'new', NULL)");
        String txId = stack.query("WITH u AS (UPDATE orders SET status = 'billed' WHERE id = 60 RETURNING 1) "
                + "SELECT txid_current() % 4294967296 FROM u");
        // the dm.context record the streams-app writes for pg_logical_emit_message(true, 'dm.context', ...) in that transaction
        java.util.Properties props = new java.util.Properties();
        props.put("bootstrap.servers", stack.bootstrap);
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<>(props, new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.StringSerializer())) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(stack.prefix + ".context", txId, "{\"v\":1,\"txId\":" + txId
                    + ",\"lsn\":\"0/1\",\"context\":{\"user\":\"alice <b>\",\"source\":\"billing-job\"}}")).get();
        }
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> Json.tree(stack.api("GET",
                "/api/history/transactions/" + txId, null).body().getBytes(StandardCharsets.UTF_8), "tx").path("context").has("user"));

        signIn(stack.token);
        browser.open(stack.gatewayUrl() + "/#/tx?txId=" + txId);
        assertThat(browser.await(By.id("tx-context")).getText()).isEqualTo("Who / why: user=alice <b> · source=billing-job");
        browser.screenshot("14-transaction-context");
        browser.open(stack.gatewayUrl() + "/#/changes?table=public.orders&contextKey=source&contextValue=billing-job");
        browser.awaitValue(() -> browser.all(By.cssSelector("#changes tbody tr")).size() == 1 ? true : null);
        assertThat(browser.await(By.cssSelector("#changes tbody tr")).getText()).contains("id=60").contains("source=billing-job");
        browser.await(By.cssSelector("#changes tbody th a")).click();
        assertThat(browser.await(By.cssSelector("article.version.focused p.context")).getText()).contains("user=alice <b>");
    }

    @Test
    void aSubscriptionMadeWithTheFormShowsALiveChangeInItsTail() throws Exception {
        stack.sql("INSERT INTO orders VALUES (1, 'new', NULL) ON CONFLICT (id) DO NOTHING");
        awaitVersions(1, 1);
        signIn(stack.token);
        browser.open(stack.gatewayUrl() + "/#/new-subscription");
        browser.await(By.id("sub-id")).sendKeys("console-tail");
        browser.await(By.id("sub-table")).sendKeys("public.orders", Keys.TAB);
        browser.await(By.id("col-status")).click();
        browser.await(By.id("op-update")).click();
        JsonNode rule = Json.tree(browser.await(By.id("sub-json")).getText().getBytes(StandardCharsets.UTF_8), "rule");
        assertThat(rule.toString()).isEqualTo("{\"table\":\"public.orders\",\"ops\":[\"update\"],\"columns\":[\"status\"]}");
        // a filter on a key of the application context is offered beside the columns; chosen and cleared again
        new Select(browser.await(By.id("filter-column"))).selectByValue("@context");
        browser.await(By.id("filter-context-key")).sendKeys("source");
        browser.await(By.id("filter-value")).sendKeys("billing-job");
        JsonNode withContext = Json.tree(browser.await(By.id("sub-json")).getText().getBytes(StandardCharsets.UTF_8), "rule");
        assertThat(withContext.path("filters").toString()).isEqualTo("[{\"column\":\"context.source\",\"op\":\"eq\",\"value\":\"billing-job\"}]");
        new Select(browser.await(By.id("filter-column"))).selectByValue("");
        browser.await(By.id("preview")).click();
        assertThat(browser.await(By.id("preview-result")).getText()).startsWith("Of the last");
        browser.await(By.id("create")).click();
        browser.await(By.cssSelector("#created a"));
        browser.screenshot("06-new-subscription");
        browser.await(By.cssSelector("#created a")).click();

        browser.await(By.id("tail-start")).click();
        browser.awaitValue(() -> browser.await(By.id("tail-state")).getText().startsWith("Watching") ? true : null);
        int[] n = {0};
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            stack.sql("UPDATE orders SET status = 'tail-" + (++n[0]) + "' WHERE id = 1"); // the rule reaches the streams-app through dm.rules
            return !browser.all(By.cssSelector("#tail li.event")).isEmpty();
        });
        assertThat(browser.await(By.cssSelector("#tail li.event")).getText()).contains("update").contains("public.orders").contains("id=1")
                .contains("changed status");
        browser.screenshot("07-subscription-live-tail");
        browser.await(By.id("tail-stop")).click();
        browser.awaitValue(() -> browser.await(By.id("tail-state")).getText().equals("Stopped.") ? true : null);
    }

    @Test
    void aWebhooksDeadLettersAreListedWithTheirErrorAndItsSecretIsRotatedOnce() throws Exception {
        String nobody = "http://127.0.0.1:" + io.datamanager.runtime.FreePorts.pick() + "/hook"; // nothing listens there
        assertThat(stack.api("PUT", "/api/subscriptions/console-dead", "{\"table\":\"public.orders\",\"ops\":[\"update\"],"
                + "\"delivery\":{\"webhook\":{\"url\":\"" + nobody + "\"}}}").statusCode()).isEqualTo(201);
        stack.sql("INSERT INTO orders VALUES (30, 'new', NULL)");
        int[] n = {0};
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            stack.sql("UPDATE orders SET status = 'dead-" + (++n[0]) + "' WHERE id = 30");
            return Json.tree(stack.api("GET", "/api/subscriptions/console-dead/dead-letters", null).body().getBytes(StandardCharsets.UTF_8),
                    "letters").size() > 0;
        });

        signIn(stack.token);
        browser.open(stack.gatewayUrl() + "/#/subscription?id=console-dead");
        WebElement letter = browser.await(By.cssSelector("#dead-letters tbody tr"));
        assertThat(letter.getText()).contains("update").contains("id=30");
        letter.findElement(By.tagName("button")).click();
        assertThat(browser.await(By.cssSelector("section .problem")).getText()).contains("Redelivery failed");
        browser.await(By.id("rotate")).click();
        assertThat(browser.await(By.id("new-secret")).getText()).startsWith("whsec_");
        browser.screenshot("09-dead-letters-and-secret");

        // the list shows each subscription's delivery status, not only its page
        browser.open(stack.gatewayUrl() + "/#/subscriptions");
        WebElement listed = browser.await(By.cssSelector("#subscriptions tr[data-id='console-dead']"));
        assertThat(Integer.parseInt(listed.findElement(By.cssSelector("td.dead-letters")).getText())).isPositive();
        assertThat(Integer.parseInt(listed.findElement(By.cssSelector("td.failures")).getText())).isPositive();
        browser.screenshot("13-subscriptions-status");

        // edited with the same form, filled with its rule; the webhook (and its secret) stays
        browser.await(By.cssSelector("#subscriptions tr[data-id='console-dead'] a")).click();
        browser.await(By.id("edit")).click();
        assertThat(browser.await(By.id("sub-id")).getAttribute("readonly")).isNotNull();
        assertThat(browser.await(By.id("sub-table")).getAttribute("value")).isEqualTo("public.orders");
        assertThat(browser.await(By.id("op-update")).isSelected()).isTrue();
        assertThat(browser.await(By.id("sub-webhook")).getAttribute("value")).isEqualTo(nobody);
        browser.await(By.id("op-delete")).click();
        browser.await(By.id("col-status")).click();
        browser.await(By.id("save")).click();
        browser.await(By.id("saved"));
        JsonNode edited = Json.tree(stack.api("GET", "/api/subscriptions/console-dead", null).body().getBytes(StandardCharsets.UTF_8), "sub");
        assertThat(edited.path("ops").toString()).isEqualTo("[\"update\",\"delete\"]");
        assertThat(edited.path("columns").toString()).isEqualTo("[\"status\"]");
        assertThat(edited.path("delivery").path("webhook").path("url").asText()).isEqualTo(nobody);
    }

    @Test
    void aReadTokenSeesTheHistoryButIsOfferedNoUndoAndTheServerRefusesOne() throws Exception {
        stack.sql("INSERT INTO orders VALUES (20, 'new', NULL)", "UPDATE orders SET status = 'paid' WHERE id = 20");
        awaitVersions(20, 2);
        long txId = Json.tree(stack.api("GET", "/api/history?table=public.orders&pk.id=20&limit=1", null).body()
                .getBytes(StandardCharsets.UTF_8), "page").path("versions").get(0).path("txId").asLong();

        signIn(stack.readToken);
        assertThat(browser.await(By.id("scope")).getText()).isEqualTo("read-only token");
        browser.open(stack.gatewayUrl() + "/#/row?table=public.orders&pk=" + URLEncoder.encode("{\"id\":20}", StandardCharsets.UTF_8));
        browser.await(By.cssSelector("article.version tr.changed"));
        assertThat(browser.all(By.partialLinkText("Undo"))).isEmpty();
        assertThat(browser.await(By.id("read-only")).getText()).contains("read-only");
        browser.screenshot("08-read-only-row");
        browser.open(stack.gatewayUrl() + "/#/tx?txId=" + txId);
        browser.await(By.id("tx-summary"));
        assertThat(browser.all(By.id("undo-tx"))).isEmpty();
        browser.open(stack.gatewayUrl() + "/#/undo?body=" + URLEncoder.encode("{\"txId\":" + txId + "}", StandardCharsets.UTF_8));
        browser.await(By.id("read-only"));
        assertThat(browser.all(By.id("apply"))).isEmpty();

        browser.open(stack.gatewayUrl() + "/#/as-of?table=public.orders");
        assertThat(browser.await(By.cssSelector("#asof thead")).getText()).contains("id").contains("status");
        assertThat(browser.all(By.cssSelector("a[download]"))).extracting(e -> e.getAttribute("download"))
                .anySatisfy(name -> assertThat(name).endsWith(".csv")).anySatisfy(name -> assertThat(name).endsWith(".json"));
        browser.screenshot("10-as-of");

        HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/api/restore"))
                .header("Authorization", "Bearer " + stack.readToken).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"txId\":" + txId + ",\"dryRun\":false}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(stack.query("SELECT status FROM orders WHERE id = 20")).isEqualTo("paid");
    }

    @Test
    void thePipelineShowsEachStageWithItsLagWhichReturnsToZeroOnceTheChangesAreThrough() throws Exception {
        stack.sql("INSERT INTO orders SELECT g, 'new', NULL FROM generate_series(200, 219) g",
                "UPDATE orders SET status = 'packed' WHERE id BETWEEN 200 AND 219");
        HttpResponse<String> read = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/api/pipeline"))
                .header("Authorization", "Bearer " + stack.readToken).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(read.statusCode()).isEqualTo(200); // a read token is enough
        JsonNode pipeline = Json.tree(read.body().getBytes(StandardCharsets.UTF_8), "pipeline");
        assertThat(pipeline.path("components").findValuesAsText("name")).contains("kafka", "history-sink");
        assertThat(pipeline.path("stages").findValuesAsText("name")).contains("streams-app", "history-sink");
        assertThat(pipeline.path("deadLetters").isIntegralNumber()).isTrue();
        // capture's slot, read by history-sink from the source database: the one this stack's capture reads
        JsonNode slot = pipeline.path("slot");
        assertThat(slot.path("error").isMissingNode() || slot.path("error").isNull()).as(slot.toString()).isTrue();
        assertThat(slot.path("slot").asText()).isEqualTo(stack.query("SELECT slot_name FROM pg_replication_slots WHERE database = current_database()"));
        assertThat(slot.path("exists").asBoolean()).isTrue();
        assertThat(slot.path("active").asBoolean()).isTrue();
        assertThat(slot.path("retainedWalBytes").isIntegralNumber()).as(slot.toString()).isTrue();

        signIn(stack.readToken);
        browser.await(By.linkText("Pipeline")).click();
        browser.awaitValue(() -> browser.await(By.tagName("h1")).getText().equals("Pipeline") ? true : null);
        assertThat(browser.await(By.id("components")).getText()).contains("kafka").contains("history-sink").doesNotContain("DOWN");
        // the stages' own consumer groups (not a group that never committed, whose lag would be every record): through to 0
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().until(() -> {
            browser.await(By.id("pipeline-refresh")).click();
            return lag("streams-app") == 0 && lag("history-sink") == 0;
        });
        JsonNode after = Json.tree(stack.api("GET", "/api/pipeline", null).body().getBytes(StandardCharsets.UTF_8), "pipeline");
        for (JsonNode stage : after.path("stages")) {
            if (stage.path("name").asText().equals("streams-app") || stage.path("name").asText().equals("history-sink")) {
                assertThat(stage.path("committed").asBoolean()).as(stage.toString()).isTrue();
                assertThat(stage.path("lag").asLong()).as(stage.toString()).isZero();
            }
        }
        assertThat(after.path("changesEndOffset").asLong()).isGreaterThanOrEqualTo(40);
        assertThat(browser.await(By.id("dead-letters")).getText()).matches("[0-9,]+");
        assertThat(browser.await(By.id("retained-wal")).getText()).matches("[0-9.]+ (B|kB|MB|GB) · capture reading.*");
        // two samples (10 s apart) draw the charts, as SVG in the page
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().until(() -> {
            browser.await(By.id("pipeline-refresh")).click();
            return !browser.all(By.cssSelector("#chart-throughput svg polyline")).isEmpty()
                    && !browser.all(By.cssSelector("#chart-lag svg polyline")).isEmpty()
                    && !browser.all(By.cssSelector("#chart-wal svg polyline")).isEmpty();
        });
        assertThat(browser.await(By.id("throughput")).getText()).endsWith("records/s");
        browser.screenshot("11-pipeline");
    }

    @Test
    void aLongTextsEditIsShownLineByLineWithTheChangedWordMarked() throws Exception {
        stack.sql("INSERT INTO orders VALUES (300, 'new', E'Deliver to the back door.\\nCall before arriving.\\nFragile: glassware inside, handle with care.')",
                "UPDATE orders SET note = E'Deliver to the back door.\\nCall after arriving.\\nFragile: glassware inside, handle with care.' WHERE id = 300");
        awaitVersions(300, 2);
        signIn(stack.token);
        browser.open(stack.gatewayUrl() + "/#/row?table=public.orders&pk=" + URLEncoder.encode("{\"id\":300}", StandardCharsets.UTF_8));
        WebElement after = browser.await(By.cssSelector("tr.changed[data-column='note'] td.after pre.linediff"));
        WebElement before = browser.await(By.cssSelector("tr.changed[data-column='note'] td.before pre.linediff"));
        assertThat(after.findElements(By.cssSelector(".word-add"))).extracting(WebElement::getText).containsExactly("after");
        assertThat(before.findElements(By.cssSelector(".word-del"))).extracting(WebElement::getText).containsExactly("before");
        assertThat(after.findElements(By.cssSelector(".line-add"))).singleElement().extracting(WebElement::getText).asString()
                .endsWith("Call after arriving.");
        assertThat(after.findElements(By.cssSelector(".line-same"))).hasSize(2); // the unchanged lines stay plain
        browser.screenshot("12-row-text-diff");
    }

    @Test
    void aJsonValuesEditIsShownAsALineDiffOfItsPrettyForm() throws Exception {
        stack.sql("CREATE TABLE docs (id int PRIMARY KEY, body jsonb)",
                "INSERT INTO docs VALUES (1, '{\"customer\":\"Ada\",\"items\":[{\"sku\":\"A-1\",\"qty\":1}],\"gift\":false}')",
                "UPDATE docs SET body = '{\"customer\":\"Ada\",\"items\":[{\"sku\":\"A-1\",\"qty\":3}],\"gift\":false}' WHERE id = 1");
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> Json.tree(stack.api("GET",
                "/api/history?table=public.docs&pk.id=1", null).body().getBytes(StandardCharsets.UTF_8), "page").path("versions").size() >= 2);
        signIn(stack.readToken);
        browser.open(stack.gatewayUrl() + "/#/row?table=public.docs&pk=" + URLEncoder.encode("{\"id\":1}", StandardCharsets.UTF_8));
        WebElement after = browser.await(By.cssSelector("tr.changed[data-column='body'] td.after pre.linediff"));
        WebElement before = browser.await(By.cssSelector("tr.changed[data-column='body'] td.before pre.linediff"));
        // one line of the pretty JSON changed, the quantity; the rest is the same on both sides
        assertThat(after.findElements(By.cssSelector(".line-add"))).singleElement().extracting(WebElement::getText).asString()
                .contains("\"qty\": 3");
        assertThat(before.findElements(By.cssSelector(".line-del"))).singleElement().extracting(WebElement::getText).asString()
                .contains("\"qty\": 1");
        assertThat(after.findElements(By.cssSelector(".word-add"))).extracting(WebElement::getText).containsExactly("3");
        assertThat(after.findElements(By.cssSelector(".line-same"))).extracting(WebElement::getText)
                .anySatisfy(l -> assertThat(l).contains("\"customer\": \"Ada\"")).anySatisfy(l -> assertThat(l).contains("\"sku\": \"A-1\""));
        browser.screenshot("15-row-json-diff");
    }

    @Test
    void aRowAsOfATimeShowsItsValuesThenAndSaysWhenItDidNotExist() throws Exception {
        String beforeInsert = stack.query("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')");
        stack.sql("INSERT INTO orders VALUES (310, 'new', 'first note')");
        String between = stack.query("SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')");
        stack.sql("UPDATE orders SET status = 'paid', note = 'second note' WHERE id = 310");
        awaitVersions(310, 2);
        signIn(stack.readToken);
        String pk = URLEncoder.encode("{\"id\":310}", StandardCharsets.UTF_8);
        browser.open(stack.gatewayUrl() + "/#/row?table=public.orders&pk=" + pk);
        browser.await(By.id("row-as-of")).click();
        // now: the latest values
        assertThat(browser.await(By.cssSelector("#asof-row tr[data-column='note'] td")).getText()).isEqualTo("second note");
        browser.open(stack.gatewayUrl() + "/#/as-of?table=public.orders&pk=" + pk + "&at=" + URLEncoder.encode(between, StandardCharsets.UTF_8));
        browser.awaitValue(() -> browser.await(By.tagName("h1")).getText().contains(between) ? true : null);
        assertThat(browser.await(By.cssSelector("#asof-row tr[data-column='note'] td")).getText()).isEqualTo("first note");
        assertThat(browser.await(By.cssSelector("#asof-row tr[data-column='status'] td")).getText()).isEqualTo("new");
        browser.screenshot("16-row-as-of");
        browser.open(stack.gatewayUrl() + "/#/as-of?table=public.orders&pk=" + pk + "&at=" + URLEncoder.encode(beforeInsert, StandardCharsets.UTF_8));
        assertThat(browser.await(By.id("asof-absent")).getText()).startsWith("The row did not exist then.");
        assertThat(browser.all(By.id("asof-row"))).isEmpty();
    }

    /** The lag the pipeline page shows for a stage, -1 while it shows none. */
    private static long lag(String stage) {
        java.util.List<WebElement> cells = browser.all(By.cssSelector("#stages tr[data-stage='" + stage + "'] td.lag"));
        if (cells.isEmpty()) {
            return -1;
        }
        String text = cells.get(0).getText().replace(",", "");
        return text.matches("[0-9]+") ? Long.parseLong(text) : -1;
    }

    private static void signIn(String token) {
        browser.open(stack.gatewayUrl() + "/#/signin");
        WebElement input = browser.await(By.id("token"));
        input.clear();
        input.sendKeys(token);
        browser.await(By.cssSelector("#signin button[type=submit]")).click();
        browser.awaitValue(() -> browser.await(By.tagName("h1")).getText().equals("Tables") ? true : null);
    }

    /** Waits until history holds at least {@code count} versions of order {@code id}. */
    private static void awaitVersions(int id, int count) {
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> Json.tree(stack.api("GET",
                "/api/history?table=public.orders&pk.id=" + id + "&limit=100", null).body().getBytes(StandardCharsets.UTF_8), "page")
                .path("versions").size() >= count);
    }
}
