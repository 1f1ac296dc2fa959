package io.datamanager.history.config;

import io.datamanager.model.ParentProcess;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * When started by another process (tests, the local stack) with DM_PARENT_PID, stops when that process ends, and
 * at once when it had ended before this one started (nobody would stop it otherwise).
 */
public class ParentWatch {
    void onStart(@Observes StartupEvent event, @ConfigProperty(name = "dm.parent-pid") Optional<Long> parent) {
        ParentProcess.watch(parent, () -> Quarkus.asyncExit(1));
    }
}
