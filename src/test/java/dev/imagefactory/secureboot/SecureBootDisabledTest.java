package dev.imagefactory.secureboot;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.imagefactory.errors.InvalidInputException;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** The default configuration: no keys, no dev-keys, SecureBoot off. */
@QuarkusTest
class SecureBootDisabledTest {

    @Inject
    SecureBootKeys keys;

    @Test
    void certificateEndpointIs404() {
        given().when().get("/secureboot/signing-cert.pem")
                .then().statusCode(404)
                .contentType(startsWith("text/plain"))
                .body(equalTo("secure boot is not enabled on this factory\n"));
    }

    @Test
    void beanReportsDisabled() {
        assertFalse(keys.enabled());
        assertThrows(InvalidInputException.class, keys::requireEnabled);
    }

    @Test
    void secureBootAssetsAre400WithTheReasonAndPlainOnesAreNot() {
        String id = given().body("customization: {}\n").post("/schematics").then().statusCode(201).extract().path("id");
        for (String path : new String[] {"cmdline-metal-amd64-secureboot", "metal-amd64-secureboot-uki.efi"}) {
            given().get("/image/" + id + "/v1.11.0/" + path).then().statusCode(400)
                    .body(equalTo(SecureBootKeys.DISABLED_MESSAGE + "\n"));
        }
        given().get("/pxe/" + id + "/v1.11.0/metal-amd64-secureboot").then().statusCode(400);
        given().get("/image/" + id + "/v1.11.0/cmdline-metal-amd64").then().statusCode(404); // no releases here
    }

    @Test
    void otherMethodsAre405WithAllow() {
        given().when().post("/secureboot/signing-cert.pem")
                .then().statusCode(405).header("Allow", "GET, HEAD, OPTIONS");
    }
}
