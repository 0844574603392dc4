package dev.imagefactory.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code POST /schematics} refuses extra kernel args that an iPXE script or grub.cfg cannot carry unchanged, with a
 * one-line 400 naming the argument, and accepts the ones the writers escape (booted in boot.KernelArgsBootTest).
 */
@QuarkusTest
class SchematicKernelArgsTest {

    private static String schematic(String arg) {
        return "{\"customization\":{\"extraKernelArgs\":[\"talos.dashboard.disabled=1\"," + arg + "]}}";
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", quoteCharacter = '`', value = {
        "\"mac=${net0/mac}\" => kernel argument \"mac=${net0/mac}\" cannot be written into an iPXE script: iPXE expands ${...} as a setting and has no escape for it",
        "\"a'b\" => kernel argument \"a'b\" cannot be written into grub.cfg: GRUB's linux command passes ' to the kernel as \\'",
        "\"back\\\\slash\" => kernel argument \"back\\\\slash\" cannot be written into grub.cfg: GRUB's linux command passes \\ to the kernel as \\\\",
        "\"a\\\"b c\\\"d\" => kernel argument \"a\\\"b c\\\"d\" cannot be written into grub.cfg: GRUB's linux command passes \" to the kernel as \\\" (only double quotes that group, as in k=\"a b\", can be carried)",
        "\"q=\\\"a b\" => kernel argument \"q=\\\"a b\" cannot be written into a kernel command line: an unbalanced double quote makes the kernel read the rest of the command line into it",
        "\"esc=\\u001b[0m\" => kernel argument \"esc=\\u001b[0m\" cannot be written into an iPXE script: it holds the control character U+001B",
    })
    void unwritableArgumentsAre400NamingThem(String arg, String reason) {
        given().body(schematic(arg)).post("/schematics").then().statusCode(400)
                .contentType(containsString("text/plain")).body(equalTo(reason + "\n"));
    }

    @Test
    void argumentsTheWritersEscapeAreAccepted() {
        given().body(schematic("\"x#y\",\"$dollar\",\"q=\\\"a b\\\"\",\"{a}&b|c;d<e>f\",\"${\",\"k=\\\"v\\\"\""))
                .post("/schematics").then().statusCode(201);
        // iPXE's command separators and comments: escaped in our scripts (KernelArgsBootTest boots them), so kept
        // as the reference keeps them, with the reference's schematic ID
        given().body(schematic("\"&&\",\"a || b\",\";\",\"#comment\"")).post("/schematics").then().statusCode(201);
    }
}
