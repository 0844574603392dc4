package dev.imagefactory.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RouteTemplatesTest {

    @Path("/version/")
    static class Sample {
        @GET
        @Path("{version}/extensions/official")
        public void extensions() {
        }

        @GET
        @Path("/{id: [0-9a-f]{64}}")
        public void byId() {
        }

        @GET
        public void root() {
        }
    }

    @Test
    void joinsClassAndMethodPathsAndDropsRegexes() throws Exception {
        assertEquals("/version/{version}/extensions/official",
                RouteTemplates.of(Sample.class, Sample.class.getMethod("extensions")));
        assertEquals("/version/{id}", RouteTemplates.of(Sample.class, Sample.class.getMethod("byId")));
        assertEquals("/version", RouteTemplates.of(Sample.class, Sample.class.getMethod("root")));
    }

    @Test
    void regexMatchesConcretePaths() throws Exception {
        Pattern extensions = JaxRsRoutes.toRegex(Sample.class, Sample.class.getMethod("extensions"));
        assertTrue(extensions.matcher("/version/v1.10.0/extensions/official").matches());
        assertFalse(extensions.matcher("/version/a/b/extensions/official").matches());
        Pattern byId = JaxRsRoutes.toRegex(Sample.class, Sample.class.getMethod("byId"));
        assertTrue(byId.matcher("/version/" + "a".repeat(64)).matches());
        assertFalse(byId.matcher("/version/xyz").matches());
        Pattern root = JaxRsRoutes.toRegex(Sample.class, Sample.class.getMethod("root"));
        assertTrue(root.matcher("/version").matches());
        assertTrue(root.matcher("/version/").matches());
    }
}
