package io.datamanager.gateway.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * The console is static files at / and /console/..., served without a token (they hold no data) under a
 * Content-Security-Policy that forbids inline script and framing; the data it shows needs a token, whose scope
 * {@code GET /api/token} tells, and the API is not given those page headers' leniency (no token, no data).
 */
@QuarkusTest
@QuarkusTestResource(value = GatewayKafka.class, restrictToAnnotatedClass = true)
class ConsoleServedIT {

    @Test
    void theConsolePageLoadsWithoutATokenUnderAPolicyThatForbidsInlineScript() {
        given().get("/").then().statusCode(200).contentType(containsString("text/html"))
                .body(containsString("<script type=\"module\" src=\"/console/app.js\">"))
                .body(not(containsString("<script>")))
                .header("Content-Security-Policy", containsString("script-src 'self';"))
                .header("Content-Security-Policy", containsString("frame-ancestors 'none'"))
                .header("Content-Security-Policy", not(containsString("unsafe-inline")))
                .header("X-Content-Type-Options", equalTo("nosniff"));
        given().get("/console/app.js").then().statusCode(200).contentType(containsString("javascript"))
                .header("Content-Security-Policy", containsString("script-src 'self'"));
        given().get("/console/style.css").then().statusCode(200).contentType(containsString("text/css"));
    }

    @Test
    void theApiStillWantsATokenAndTellsItsScope() {
        given().get("/api/token").then().statusCode(401);
        given().header("Authorization", "Bearer " + GatewayKafka.READER).get("/api/token").then().statusCode(200)
                .body("scope", equalTo("read")).header("Content-Security-Policy", nullValue());
        given().header("Authorization", "Bearer " + GatewayKafka.WRITER).get("/api/token").then().statusCode(200)
                .body("scope", equalTo("write"));
    }

    @Test
    void aReadTokenCannotRestoreWhateverTheConsoleShows() {
        given().header("Authorization", "Bearer " + GatewayKafka.READER).contentType("application/json")
                .body("{\"txId\":1,\"dryRun\":false}").post("/api/restore").then().statusCode(403)
                .body("field", equalTo("Authorization"));
    }

    @Test
    void thePipelineNeedsOnlyAReadTokenAndSaysWhatIsDownAndWhy() {
        given().get("/api/pipeline").then().statusCode(401);
        given().header("Authorization", "Bearer " + GatewayKafka.READER).get("/api/pipeline").then().statusCode(200)
                .body("components.find { it.name == 'kafka' }.up", equalTo(true))
                .body("components.find { it.name == 'nothing-there' }.up", equalTo(false))
                .body("components.find { it.name == 'nothing-there' }.detail", containsString("Connect"))
                .body("stages.name", hasItems("streams-app", "history-sink"))
                .body("stages.find { it.name == 'streams-app' }.group", equalTo("dm-streams"))
                .body("stages.find { it.name == 'history-sink' }.group", equalTo("dm-history"))
                .body("deadLetterTopic", equalTo(GatewayKafka.PREFIX + ".dlq"))
                .body("sampleSeconds", equalTo(10))
                .body("samples", instanceOf(java.util.List.class));
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/api/pipeline'.get.responses.'200'.content.'application/json'.schema.$ref", equalTo("#/components/schemas/Pipeline"))
                .body("components.schemas.PipelineStage.properties", org.hamcrest.Matchers.hasKey("lag"));
    }
}
