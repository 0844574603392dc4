package dev.imagefactory.http;

import dev.imagefactory.errors.InvalidInputException;
import dev.imagefactory.errors.NotFoundException;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * Stand-ins for the production error mappers (written on another branch) so the route tests can check statuses:
 * plain-text message + newline, as upstream answers. Lowest priority, so the real mappers win once merged; delete
 * this class then.
 */
final class TestOnlyErrorMappers {

    private TestOnlyErrorMappers() {
    }

    @Provider
    @Priority(Priorities.USER + 1000)
    public static class InvalidInput implements ExceptionMapper<InvalidInputException> {
        @Override
        public Response toResponse(InvalidInputException e) {
            return text(400, e.getMessage());
        }
    }

    @Provider
    @Priority(Priorities.USER + 1000)
    public static class NotFound implements ExceptionMapper<NotFoundException> {
        @Override
        public Response toResponse(NotFoundException e) {
            return text(404, e.getMessage());
        }
    }

    static Response text(int status, String message) {
        return Response.status(status).type(MediaType.TEXT_PLAIN_TYPE.withCharset("utf-8")).entity(message + "\n").build();
    }
}
