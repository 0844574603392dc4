package dev.imagefactory.build;

import dev.imagefactory.model.OutputKind;

/** A step that produces what a URL asks for ({@link OutputKind}): {@link AssetService} plans requests through it. */
public interface OutputStep extends Step {

    OutputKind output();

    /** The plan for {@code request}; throws the request's 4xx refusals. Builds nothing. */
    BuildPlan plan(BuildRequest request);
}
