package dev.imagefactory.ops;

import dev.imagefactory.tools.ProcessRunner;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.concurrent.TimeUnit;

/**
 * {@code image_factory_tool_duration_seconds{tool, outcome}}: how long builds spend inside each external tool (xz,
 * mkfs.xfs, qemu-img, ...). Set against a build's wall time it tells the JVM's own share (bench/disk-image-cold).
 */
@Startup
@Singleton
public class ToolMetrics {

    static final String METRIC = "image_factory_tool_duration";

    @Inject
    ToolMetrics(MeterRegistry registry) {
        ProcessRunner.observe((tool, nanos, succeeded) -> Timer.builder(METRIC)
                .description("Time spent running external tools")
                .tag("tool", tool)
                .tag("outcome", succeeded ? "success" : "failure")
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS));
    }

    @PreDestroy
    void stop() {
        ProcessRunner.observe((tool, nanos, succeeded) -> { });
    }
}
