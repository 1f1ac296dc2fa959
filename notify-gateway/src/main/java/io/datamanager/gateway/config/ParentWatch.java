package io.datamanager.gateway.config;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** When started by another process (tests, the local stack) with DM_PARENT_PID, stops when that process ends. */
public class ParentWatch {
    void onStart(@Observes StartupEvent event, @ConfigProperty(name = "dm.parent-pid") Optional<Long> parent) {
        parent.flatMap(ProcessHandle::of).ifPresent(p -> p.onExit().thenRun(Quarkus::asyncExit));
    }
}
