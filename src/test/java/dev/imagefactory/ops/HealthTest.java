package dev.imagefactory.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

@QuarkusTest
class HealthTest {

    @Inject
    Readiness readiness;

    @Inject
    DataDirectory dataDirectory;

    @Test
    void healthzIsEmpty200ForGetAndHead() {
        given().get("/healthz").then().statusCode(200).body(emptyString());
        given().head("/healthz").then().statusCode(200).body(emptyString());
    }

    @Test
    void readyzIs200WhenAllChecksPass() {
        given().get("/readyz").then().statusCode(200).body(emptyString());
        given().head("/readyz").then().statusCode(200);
    }

    @Test
    void readyzIs503WhileAnyCheckFails() {
        readiness.register("test: always failing", () -> false);
        try {
            given().get("/readyz").then()
                    .statusCode(503)
                    .header("Content-Type", equalTo("text/plain; charset=utf-8"))
                    .body(equalTo("not ready\n"));
            given().head("/readyz").then().statusCode(503).body(emptyString());
        } finally {
            readiness.unregister("test: always failing");
        }
        given().get("/readyz").then().statusCode(200);
    }

    @Test
    void checkThatThrowsCountsAsNotReady() {
        readiness.register("test: throwing", () -> {
            throw new IllegalStateException("boom");
        });
        try {
            given().get("/readyz").then().statusCode(503);
        } finally {
            readiness.unregister("test: throwing");
        }
    }

    @Test
    void dataDirectoryIsCreatedAndChecked() throws Exception {
        assertTrue(Files.isDirectory(dataDirectory.path()));
        assertTrue(dataDirectory.writable());
    }
}
