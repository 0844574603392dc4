package dev.imagefactory.build;

import dev.imagefactory.model.PlanValue;

import dev.imagefactory.model.TalosVersion;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Optional;

/**
 * The canonical text of a plan's inputs: every component of the inputs record, by name, in declaration order, each
 * value tagged with its type, strings length-prefixed, so two different inputs never write the same text. A needed
 * plan is written as its key; a {@link PlanValue} as its canonical text. Any other type is refused, so an input
 * nobody thought of serialising fails the plan (and its tests) instead of silently staying out of the key.
 */
final class CanonicalForm {

    private final StringBuilder out = new StringBuilder();

    private CanonicalForm() {
    }

    static String of(StepKind kind, String builderVersion, Record inputs) {
        CanonicalForm form = new CanonicalForm();
        form.out.append("plan/").append(kind.id()).append('\n');
        form.out.append("builder=");
        form.string(builderVersion);
        form.out.append('\n');
        for (RecordComponent component : inputs.getClass().getRecordComponents()) {
            form.out.append(component.getName()).append('=');
            form.value(read(component, inputs));
            form.out.append('\n');
        }
        return form.out.toString();
    }

    private void value(Object value) {
        if (value == null) {
            throw new IllegalArgumentException("a plan input is null: use Optional for an input that may be absent");
        }
        if (value instanceof String s) {
            string(s);
        } else if (value instanceof Boolean b) {
            out.append("bool:").append(b);
        } else if (value instanceof Integer || value instanceof Long) {
            out.append("int:").append(value);
        } else if (value instanceof Enum<?> e) {
            out.append(e.getDeclaringClass().getSimpleName()).append(':').append(e.name());
        } else if (value instanceof TalosVersion v) {
            out.append("talos:").append(v);
        } else if (value instanceof BuildPlan plan) {
            out.append("plan:").append(plan.kind().id()).append('@').append(plan.key().hex());
        } else if (value instanceof PlanValue v) {
            out.append(value.getClass().getSimpleName()).append(':');
            string(v.canonical());
        } else if (value instanceof Optional<?> optional) {
            if (optional.isEmpty()) {
                out.append("none");
            } else {
                out.append("some(");
                value(optional.get());
                out.append(')');
            }
        } else if (value instanceof List<?> list) {
            out.append("list").append(list.size()).append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                value(list.get(i));
            }
            out.append(']');
        } else if (value instanceof Record record) {
            out.append(record.getClass().getSimpleName()).append('{');
            RecordComponent[] components = record.getClass().getRecordComponents();
            for (int i = 0; i < components.length; i++) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(components[i].getName()).append('=');
                value(read(components[i], record));
            }
            out.append('}');
        } else {
            throw new IllegalArgumentException("a plan input of type " + value.getClass().getName()
                    + " has no canonical form: make it a record, a PlanValue or a plain value");
        }
    }

    private void string(String s) {
        // escaped so the form stays one line per component; the length is the unescaped one
        out.append("str").append(s.length()).append(':').append(s.replace("\\", "\\\\").replace("\n", "\\n"));
    }

    private static Object read(RecordComponent component, Record record) {
        try {
            component.getAccessor().setAccessible(true);
            return component.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read plan input " + component.getName(), e);
        }
    }
}
