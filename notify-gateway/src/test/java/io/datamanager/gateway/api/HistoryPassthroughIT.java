package io.datamanager.gateway.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The history routes answer on the gateway's base URL, from a real history-sink, guarded by the gateway's tokens. */
@QuarkusTest
@QuarkusTestResource(value = HistoryService.class, restrictToAnnotatedClass = true)
class HistoryPassthroughIT {

    @Test
    void historyRoutesAnswerThroughTheGateway() {
        given().header("Authorization", "Bearer " + HistoryService.READER).get("/api/tables").then().statusCode(200)
                .body("size()", equalTo(0));
        given().header("Authorization", "Bearer " + HistoryService.READER).get("/api/history?table=public.nope&limit=5").then()
                .statusCode(400).contentType("application/problem+json").body("field", equalTo("table"));
        given().header("Authorization", "Bearer " + HistoryService.WRITER).contentType("application/json")
                .body("{\"table\":\"public.x\"}").post("/api/restore").then().statusCode(400).body("field", equalTo("pk"));
        given().header("Authorization", "Bearer " + HistoryService.READER).get("/api/history/policies/public.orders").then()
                .statusCode(200).body("tracking", equalTo(true));
    }

    @Test
    void theGatewaysOwnTokensAndScopesApply() {
        given().get("/api/history").then().statusCode(401);
        given().header("Authorization", "Bearer " + HistoryService.READER).contentType("application/json")
                .body("{\"txId\":1}").post("/api/restore").then().statusCode(403);
    }
}
