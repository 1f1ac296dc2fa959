package io.datamanager.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;

/** The JFR summary the report shows per stage: a recording of known work names that work and the wait it did. */
class ProfilesTest {

    @Test
    void summaryNamesTheBusyMethodAndTheLongWait() throws Exception {
        Path file = Files.createTempFile("profiles-test", ".jfr");
        try (Recording recording = new Recording(Configuration.getConfiguration("profile"))) {
            recording.start();
            long until = System.nanoTime() + Duration.ofMillis(1500).toNanos();
            double sink = 0;
            while (System.nanoTime() < until) {
                sink += busyWork();
            }
            parkedWait();
            recording.stop();
            recording.dump(file);
            assertThat(sink).isNotNaN();
        }

        Profiles.Summary summary = Profiles.summarise("test", file);

        assertThat(summary.samples()).isPositive();
        assertThat(summary.hotMethods()).extracting(Profiles.Share::name).anyMatch(m -> m.contains("ProfilesTest.busyWork"));
        assertThat(summary.waits()).anyMatch(w -> w.where().contains("ProfilesTest.parkedWait") && w.seconds() >= 0.2);
        Files.deleteIfExists(file);
    }

    private static double busyWork() {
        double x = 0;
        for (int i = 1; i < 20_000; i++) {
            x += Math.sqrt(i) / i;
        }
        return x;
    }

    private static void parkedWait() {
        LockSupport.parkNanos(Duration.ofMillis(300).toNanos());
    }
}
