package dev.imagefactory.ui;

import java.util.Arrays;
import java.util.Optional;

/** The wizard's steps in order; {@link #id()} is the value of the {@code step} query parameter. */
public enum Step {
    HARDWARE("hardware"),
    VERSION("version"),
    PLATFORM("platform"),
    ARCH("arch"),
    EXTENSIONS("extensions"),
    CUSTOMIZATION("customization"),
    FINAL("final");

    private final String id;

    Step(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Optional<Step> parse(String id) {
        return Arrays.stream(values()).filter(s -> s.id.equals(id)).findFirst();
    }

    /** 1-based position, for "step n of 7". */
    public int number() {
        return ordinal() + 1;
    }
}
