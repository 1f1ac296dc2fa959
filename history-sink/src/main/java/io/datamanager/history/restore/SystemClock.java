package io.datamanager.history.restore;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/** The clock restores judge "now" by (a window must have ended), injectable so tests can set it. */
@ApplicationScoped
class SystemClock {
    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}
