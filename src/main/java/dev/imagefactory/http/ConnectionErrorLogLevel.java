package dev.imagefactory.http;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Vert.x logs every exception of a connection that nobody handles at ERROR through this one logger: a client that
 * sends the HTTP/2 preface and then breaks the protocol, a reset, a malformed frame. They are faults of one peer's
 * connection, not of the service, and a scanner would fill the log with them; they are lowered to DEBUG. Quarkus'
 * own {@code quarkus.log.filter} cannot do this (it leaves ERROR records alone) and a category level could only
 * silence them, so this sets a JUL filter on that logger. Well-formed h2c (prior knowledge) is served as before.
 */
@ApplicationScoped
public class ConnectionErrorLogLevel {

    static final String CONNECTION_LOGGER = "io.vertx.core.net.impl.ConnectionBase";
    /** Held strongly: JUL forgets the settings of loggers nobody references. */
    private static final Logger LOGGER = Logger.getLogger(CONNECTION_LOGGER);

    void install(@Observes @Priority(1) StartupEvent event) {
        LOGGER.setFilter(record -> {
            if (record.getLevel().intValue() > Level.FINE.intValue()) {
                record.setLevel(org.jboss.logmanager.Level.DEBUG);
            }
            return LOGGER.isLoggable(Level.FINE);
        });
    }
}
