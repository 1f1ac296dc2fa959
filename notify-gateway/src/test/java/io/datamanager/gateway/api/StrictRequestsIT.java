package io.datamanager.gateway.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The gateway answers malformed requests as the contract says, on a gateway without a history-sink: 400 naming the
 * field for an id, a number or a body that is not what it should be, problem+json for the framework's own refusals,
 * and 503 where only the missing history-sink could answer. Nothing malformed is written.
 */
@QuarkusTest
@QuarkusTestResource(value = GatewayKafka.class, restrictToAnnotatedClass = true)
class StrictRequestsIT {

    @Test
    void aSubscriptionIdIsNeverTruncatedOrGuessed() {
        writer().body("{\"table\":\"public.orders\"}").put("/api/subscriptions/acc-1").then().statusCode(201);
        problem(writer().urlEncodingEnabled(false).get("/api/subscriptions/acc-;ls"), 400).body("field", equalTo("path"));
        problem(writer().urlEncodingEnabled(false).delete("/api/subscriptions/acc-1;x=1"), 400).body("field", equalTo("path"));
        problem(writer().urlEncodingEnabled(false).get("/api/subscriptions/acc-%3Bls"), 400).body("field", equalTo("id"));
        problem(writer().get("/api/subscriptions/ACC-1"), 400).body("field", equalTo("id"));
        problem(writer().delete("/api/subscriptions/acc-1?force=1"), 400).body("field", equalTo("force"));
        writer().get("/api/subscriptions/acc-1").then().statusCode(200);
    }

    @Test
    void numbersAreAsciiDigitsInTheirRange() {
        writer().body("{\"table\":\"public.orders\",\"delivery\":{\"webhook\":{\"url\":\"http://127.0.0.1:9/hook\"}}}")
                .put("/api/subscriptions/numbers").then().statusCode(201);
        problem(writer().post("/api/subscriptions/numbers/secret/rotate?graceMinutes=\uFF11"), 400).body("field", equalTo("graceMinutes"));
        problem(writer().post("/api/subscriptions/numbers/preview?limit=0"), 400).body("field", equalTo("limit"));
        problem(writer().post("/api/subscriptions/numbers/preview?limit=-1"), 400).body("field", equalTo("limit"));
        problem(writer().get("/api/consistency?subscription=numbers&lsn=0/1&timeoutMs=+5"), 400).body("field", equalTo("timeoutMs"));
        problem(writer().get("/api/consistency?subscription=numbers&lsn=0/1&timeoutMs="), 400).body("field", equalTo("timeoutMs"));
        problem(writer().header("Last-Event-ID", "\uFF10:1").get("/api/subscriptions/numbers/events"), 400)
                .body("field", equalTo("Last-Event-ID"));
    }

    @Test
    void aBodyThatIsNotExactlyOneStrictJsonObjectIsRefused() {
        problem(writer().body("null").put("/api/subscriptions/body-null"), 400).body("detail", containsString("a JSON object is required"));
        problem(writer().body("{\"table\":\"public.orders\"} trailing").put("/api/subscriptions/body-trailing"), 400);
        problem(writer().body("{\"table\":\"public.x\",\"table\":\"public.orders\"}").put("/api/subscriptions/body-twice"), 400)
                .body("field", equalTo("table"));
        problem(writer().body("\uFEFF{\"table\":\"public.orders\"}".getBytes(StandardCharsets.UTF_8)).put("/api/subscriptions/body-bom"), 400);
        problem(writer().body("{\"id\":1,\"table\":\"public.orders\"}").post("/api/subscriptions"), 400).body("field", equalTo("id"));
        problem(writer().body("{\"table\":\"public.orders\",\"ops\":[\"update\",1]}").put("/api/subscriptions/body-ops"), 400)
                .body("field", equalTo("ops[1]"));
        problem(writer().body("{\"table\":\"public.orders\\u0000\"}").put("/api/subscriptions/body-nul"), 400).body("field", equalTo("table"));
        writer().get("/api/subscriptions/body-null").then().statusCode(404);
        writer().get("/api/subscriptions/body-bom").then().statusCode(404);
    }

    @Test
    void theFrameworksOwnRefusalsAreProblemsToo() {
        problem(writer().patch("/api/subscriptions/any"), 405);
        problem(given().header("Authorization", "Bearer " + GatewayKafka.WRITER).contentType("text/plain").body("{}")
                .put("/api/subscriptions/any"), 415).body("field", equalTo("Content-Type"));
        problem(writer().body("{\"table\":\"public.orders\",\"pad\":\"" + "x".repeat(70_000) + "\"}").put("/api/subscriptions/big"), 413);
        problem(writer().get("/api/subscriptions?x=" + "y".repeat(10_000)), 414);
        problem(writer().header("X-Big", "z".repeat(20_000)).get("/api/subscriptions"), 431);
        problem(writer().header("Accept", "application/xml").get("/api/subscriptions"), 406);
    }

    @Test
    void aPreviewWithoutAHistorySinkIsUnavailableNotAnError() {
        problem(writer().body("{\"table\":\"public.orders\"}").post("/api/subscriptions/no-history/preview"), 503)
                .body("detail", containsString("DM_HISTORY_URL"));
    }

    private static ValidatableResponse problem(Response response, int status) {
        return response.then().statusCode(status).contentType(startsWith("application/problem+json")).body("status", equalTo(status))
                .body("title", not(emptyOrNullString()));
    }

    private static RequestSpecification writer() {
        return given().header("Authorization", "Bearer " + GatewayKafka.WRITER).contentType("application/json");
    }
}
