package dev.imagefactory.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import org.eclipse.microprofile.health.Readiness;
import org.junit.jupiter.api.Test;

@QuarkusTest
class HealthTest {

    @Inject
    @Readiness
    SwitchableReadinessCheck testCheck;

    @Inject
    DataDirectory dataDirectory;

    @Test
    void healthzIsEmpty200ForGetAndHead() {
        given().get("/healthz").then().statusCode(200).header("Content-Type", equalTo(null)).body(emptyString());
        given().head("/healthz").then().statusCode(200).body(emptyString());
    }

    @Test
    void readyzIs200WhenAllChecksPass() {
        given().get("/readyz").then().statusCode(200).header("Content-Type", equalTo(null)).body(emptyString());
        given().head("/readyz").then().statusCode(200);
    }

    @Test
    void readyzIs503WhileAnyCheckFails() {
        testCheck.set(SwitchableReadinessCheck.State.DOWN);
        try {
            given().get("/readyz").then()
                    .statusCode(503)
                    .header("Content-Type", equalTo("text/plain; charset=utf-8"))
                    .body(equalTo("not ready\n"));
            given().head("/readyz").then().statusCode(503).body(emptyString());
            given().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"));
            given().get("/healthz").then().statusCode(200); // liveness does not follow readiness
        } finally {
            testCheck.set(SwitchableReadinessCheck.State.UP);
        }
        given().get("/readyz").then().statusCode(200);
    }

    @Test
    void checkThatThrowsCountsAsNotReady() {
        testCheck.set(SwitchableReadinessCheck.State.THROWING);
        try {
            given().get("/readyz").then().statusCode(503).body(equalTo("not ready\n"));
        } finally {
            testCheck.set(SwitchableReadinessCheck.State.UP);
        }
    }

    @Test
    void smallRyeJsonNamesTheChecks() {
        given().get("/q/health/ready").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", containsInAnyOrder("storage", "release-source", "secureboot-keys",
                        "source-image-verification", "test switch"))
                .body("checks.find { it.name == 'source-image-verification' }.data.verification", equalTo("on"))
                .body("checks.find { it.name == 'source-image-verification' }.data.keys", equalTo(1))
                .body("checks.find { it.name == 'storage' }.data.data-dir", equalTo("writable"))
                .body("checks.find { it.name == 'secureboot-keys' }.data.secureboot", equalTo("off"));
        given().get("/q/health").then().statusCode(200).body("checks.name", hasItem("storage"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void dataDirectoryIsCreatedAndChecked() throws Exception {
        assertTrue(Files.isDirectory(dataDirectory.path()));
        assertTrue(dataDirectory.writable());
    }
}
