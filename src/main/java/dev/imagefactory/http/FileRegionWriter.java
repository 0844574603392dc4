package dev.imagefactory.http;

import io.vertx.core.http.HttpServerResponse;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.Provider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveResourceInfo;
import org.jboss.resteasy.reactive.server.spi.ServerMessageBodyWriter;
import org.jboss.resteasy.reactive.server.spi.ServerRequestContext;

/**
 * Writes a {@link FileRegionBody} with Vert.x {@code sendFile(path, offset, length)}: Netty hands the region to the
 * kernel ({@code sendfile(2)} via {@code FileChannel.transferTo}), so the bytes never pass through the JVM heap or a
 * worker thread. The lease is released when the send has completed or failed (the client went away).
 *
 * <p>Quarkus REST's own {@code PathPart} writer does the same send but offers no completion hook, which the lease
 * needs; hence this small writer.
 */
@Provider
public class FileRegionWriter implements ServerMessageBodyWriter<FileRegionBody> {

    private static final Logger LOG = Logger.getLogger(FileRegionWriter.class);

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, ResteasyReactiveResourceInfo target,
            MediaType mediaType) {
        return FileRegionBody.class.isAssignableFrom(type);
    }

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return FileRegionBody.class.isAssignableFrom(type);
    }

    @Override
    public void writeResponse(FileRegionBody body, Type genericType, ServerRequestContext context) {
        HttpServerResponse response = ((ResteasyReactiveRequestContext) context).serverRequest()
                .unwrap(HttpServerResponse.class);
        try {
            // The cache never modifies a published file; if it shrank anyway (damaged disk, someone else's hand),
            // Vert.x would send fewer bytes than the Content-Length already promised. Fail the connection instead,
            // so the client sees an incomplete download, never a short "complete" one.
            long onDisk = Files.size(body.file());
            if (onDisk < body.offset() + body.length()) {
                LOG.errorf("artifact file %s has %d bytes, fewer than the %d announced; aborting the download",
                        body.file(), onDisk, body.offset() + body.length());
                body.release();
                response.reset();
                return;
            }
            body.servedBytes().increment(body.length());
            response.sendFile(body.file().toString(), body.offset(), body.length()).onComplete(done -> {
                body.release();
                if (done.failed()) {
                    LOG.debugf(done.cause(), "sending %s ended early", body.file());
                }
            });
        } catch (IOException | RuntimeException e) {
            body.release();
            LOG.warnf("cannot send artifact file %s: %s", body.file(), e.toString());
            response.reset();
        }
    }

    /** Outside Quarkus REST's Vert.x path (writer interceptors): a plain bounded copy, same bytes. */
    @Override
    public void writeTo(FileRegionBody body, Class<?> type, Type genericType, Annotation[] annotations,
            MediaType mediaType, MultivaluedMap<String, Object> headers, OutputStream output) throws IOException {
        try (FileChannel channel = FileChannel.open(body.file(), StandardOpenOption.READ)) {
            channel.position(body.offset());
            InputStream in = Channels.newInputStream(channel);
            byte[] buffer = new byte[64 * 1024];
            long remaining = body.length();
            while (remaining > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
                if (n < 0) {
                    throw new IOException("artifact file " + body.file() + " ended " + remaining + " bytes early");
                }
                body.servedBytes().increment(n);
                output.write(buffer, 0, n);
                remaining -= n;
            }
            output.flush();
        } finally {
            body.release();
        }
    }
}
