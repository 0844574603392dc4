package dev.imagefactory.build;

import dev.imagefactory.model.PlanValue;

import dev.imagefactory.model.BuildLabels;
import dev.imagefactory.cache.CacheKey;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One build, fully decided before anything is built: the step kind, the step's builder version, and its inputs as
 * a step-specific record of resolved values (release files by digest, extension images by digest, the schematic's
 * relevant fields, the signer's fingerprint, the quirks, the cmdline) and of the plans it needs. Immutable.
 *
 * <p>The {@linkplain #canonical() canonical form} writes every component of the inputs, typed, in a fixed order
 * (a needed plan as its key), and {@link #key()} is the SHA-256 of that text: nothing else goes into the cache key,
 * so an input cannot be left out of it. {@link #labels() Labels} (metrics, logs) and whether the product is shared
 * between replicas or kept as a local {@link #intermediate() intermediate} ride along without being in the key.
 */
public final class BuildPlan {

    private final StepKind kind;
    private final String builderVersion;
    private final Record inputs;
    private final BuildLabels labels;
    private final boolean intermediate;
    private final String canonical;
    private final CacheKey key;
    private final List<BuildPlan> needs;

    private BuildPlan(StepKind kind, String builderVersion, Record inputs, BuildLabels labels, boolean intermediate) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.builderVersion = Objects.requireNonNull(builderVersion, "builderVersion");
        this.inputs = Objects.requireNonNull(inputs, "inputs");
        this.labels = Objects.requireNonNull(labels, "labels");
        this.intermediate = intermediate;
        this.canonical = CanonicalForm.of(kind, builderVersion, inputs);
        this.key = CacheKey.of(canonical);
        List<BuildPlan> found = new ArrayList<>();
        collectPlans(inputs, found);
        this.needs = List.copyOf(found);
    }

    /** A plan of an artifact served to clients (kept in the shared store). */
    public static BuildPlan output(StepKind kind, String builderVersion, Record inputs, BuildLabels labels) {
        return new BuildPlan(kind, builderVersion, inputs, labels, false);
    }

    /** A plan of an intermediate product, kept on this replica's local disk only. */
    public static BuildPlan intermediate(StepKind kind, String builderVersion, Record inputs, BuildLabels labels) {
        return new BuildPlan(kind, builderVersion, inputs, labels, true);
    }

    public StepKind kind() {
        return kind;
    }

    public String builderVersion() {
        return builderVersion;
    }

    /** The step's inputs record; its step casts it to its own type. */
    public <T extends Record> T inputs(Class<T> type) {
        return type.cast(inputs);
    }

    public BuildLabels labels() {
        return labels;
    }

    public boolean intermediate() {
        return intermediate;
    }

    /** The plans this one needs, in the order their inputs appear (each once). */
    public List<BuildPlan> needs() {
        return needs;
    }

    /** Everything that determines the artifact's bytes, one component a line. */
    public String canonical() {
        return canonical;
    }

    /** The cache key: the SHA-256 of {@link #canonical()}. */
    public CacheKey key() {
        return key;
    }

    /** Two plans are equal when they describe the same build: the same canonical form. */
    @Override
    public boolean equals(Object other) {
        return other instanceof BuildPlan plan && plan.canonical.equals(canonical);
    }

    @Override
    public int hashCode() {
        return canonical.hashCode();
    }

    @Override
    public String toString() {
        return kind.id() + " plan " + key.hex().substring(0, 12);
    }

    private static void collectPlans(Object value, List<BuildPlan> found) {
        if (value instanceof BuildPlan plan) {
            if (!found.contains(plan)) {
                found.add(plan);
            }
        } else if (value instanceof Optional<?> optional) {
            optional.ifPresent(v -> collectPlans(v, found));
        } else if (value instanceof List<?> list) {
            list.forEach(v -> collectPlans(v, found));
        } else if (value instanceof Record record && !(value instanceof PlanValue)) {
            for (RecordComponent component : record.getClass().getRecordComponents()) {
                try {
                    component.getAccessor().setAccessible(true);
                    collectPlans(component.getAccessor().invoke(record), found);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot read plan input " + component.getName(), e);
                }
            }
        }
    }
}
