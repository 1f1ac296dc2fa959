package io.datamanager.history;

import io.datamanager.model.ParentProcess;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/** Refuses to start when the process that started this one is gone already (see {@link io.datamanager.history.config.ParentWatch}), then runs Quarkus. */
@QuarkusMain
public final class Main {
    private Main() {}

    public static void main(String... args) {
        ParentProcess.exitIfGoneAtStart();
        Quarkus.run(args);
    }
}
