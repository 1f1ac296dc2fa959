package io.datamanager.examples.httpnotify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.concurrent.CountDownLatch;

/**
 * Registers a webhook subscription to a table with datamanager, receives the signed changes on this machine,
 * verifies each signature and prints what changed; Ctrl-C unregisters it. Configured by environment variables
 * (the local stack passes the first two): {@code DM_URL}, {@code DM_TOKEN}, {@code DM_EXAMPLE_TABLE}
 * (public.orders), {@code DM_EXAMPLE_PORT} (0: any free port), {@code DM_EXAMPLE_COUNT} (stop after so many).
 */
public final class HttpNotifyDemo {
    static final String SUBSCRIPTION = "httpnotify";
    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpNotifyDemo() {}

    public static void main(String[] args) throws Exception {
        String url = env("DM_URL", "http://127.0.0.1:8080");
        String token = env("DM_TOKEN", null);
        String table = env("DM_EXAMPLE_TABLE", "public.orders");
        int count = Integer.parseInt(env("DM_EXAMPLE_COUNT", "0"));
        if (token == null) {
            System.err.println("set DM_TOKEN (./datamanager example httpnotify sets it for the local stack)");
            System.exit(2);
        }
        CountDownLatch done = new CountDownLatch(count > 0 ? count : Integer.MAX_VALUE);
        HttpClient http = HttpClient.newHttpClient();
        try (WebhookReceiver receiver = new WebhookReceiver(Integer.parseInt(env("DM_EXAMPLE_PORT", "0")), change -> {
            System.out.println(describe(change));
            done.countDown();
        })) {
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(url + "/api/subscriptions/" + SUBSCRIPTION))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"table\":\"" + table + "\",\"delivery\":{\"webhook\":{\"url\":\""
                            + receiver.url() + "\"}}}")).build(), HttpResponse.BodyHandlers.ofString());
            if (created.statusCode() >= 300) {
                System.err.println("registering the subscription failed: " + created.statusCode() + " " + created.body());
                System.exit(1);
            }
            receiver.secret(JSON.readTree(created.body()).path("delivery").path("webhook").path("secret").asText());
            Runnable unregister = () -> {
                try {
                    http.send(HttpRequest.newBuilder(URI.create(url + "/api/subscriptions/" + SUBSCRIPTION)).header("Authorization", "Bearer " + token)
                            .DELETE().build(), HttpResponse.BodyHandlers.discarding());
                } catch (Exception e) {
                    System.err.println("could not unregister " + SUBSCRIPTION + ": " + e.getMessage());
                }
            };
            Runtime.getRuntime().addShutdownHook(new Thread(unregister, "unregister"));
            System.out.println("receiving signed changes of " + table + " at " + receiver.url() + " (Ctrl-C stops and unregisters)");
            done.await();
        }
    }

    /** {@code 10:15:30 update public.orders {"id":7}  status: 'paid' -> 'packed'  (signature verified)} */
    static String describe(JsonNode change) {
        StringBuilder line = new StringBuilder(LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " " + change.path("op").asText() + " "
                + change.path("table").asText() + " " + change.path("pk"));
        JsonNode before = change.path("before");
        JsonNode after = change.path("after");
        if (change.path("changed").isArray() && !change.path("changed").isEmpty()) {
            for (Iterator<JsonNode> it = change.path("changed").elements(); it.hasNext(); ) {
                String column = it.next().asText();
                line.append("  ").append(column).append(": ").append(before.path(column)).append(" -> ").append(after.path(column));
            }
        } else if (!after.isMissingNode() && !after.isNull()) {
            line.append("  ").append(after);
        }
        return line.append("  (signature verified)").toString();
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
