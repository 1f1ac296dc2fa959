package io.datamanager.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.datamanager.model.ParentProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The supervisor on real processes: one SIGKILLed is started again, said so, and the run file hook runs. */
class SupervisorTest {

    @Test
    void aPartThatDiesIsStartedAgainAndUpSaysSo() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        AtomicInteger rewrites = new AtomicInteger();
        Part part = Part.start("sleeper", () -> {
            Process p = new ProcessBuilder("sleep", "120").start();
            return Part.Instance.child(p, p::destroy);
        });
        Supervisor supervisor = new Supervisor(List.of(part), new PrintStream(printed, true, StandardCharsets.UTF_8), rewrites::incrementAndGet);
        supervisor.start();
        try {
            long first = part.pid();
            ProcessHandle.of(first).orElseThrow().destroyForcibly();
            Awaitility.await("started again").atMost(Duration.ofSeconds(20)).until(() -> part.pid() != first && part.isAlive());
            Awaitility.await("the run file rewritten").atMost(Duration.ofSeconds(5)).until(() -> rewrites.get() == 1);
            String out = printed.toString(StandardCharsets.UTF_8);
            assertThat(out).contains("  sleeper         died (exit 137); restarting in 1 s (restart 1)")
                    .containsPattern("  sleeper         back in [0-9.]+ s \\(pid " + part.pid() + "\\)");
        } finally {
            supervisor.stop();
            part.close();
        }
    }

    @Test
    void thePauseDoublesWithEachFailureInARowUpToThirtySeconds() {
        assertThat(List.of(1, 2, 3, 4, 5, 6, 7, 20).stream().map(Supervisor::pause).map(Duration::toSeconds).toList())
                .containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L, 30L);
    }

    @Test
    void aZombieIsNotRunningThoughJavaCallsItAlive() throws Exception {
        // the shell backgrounds a child that ends at once, then becomes sleep, which never reaps it: a zombie
        Process parent = new ProcessBuilder("sh", "-c", "sleep 0 & echo $!; exec sleep 30").start();
        try {
            long zombie = Long.parseLong(new java.io.BufferedReader(new java.io.InputStreamReader(parent.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine().trim());
            Awaitility.await("the child ended").atMost(Duration.ofSeconds(10)).until(() -> java.nio.file.Files
                    .readString(java.nio.file.Path.of("/proc", Long.toString(zombie), "stat")).contains(") Z "));
            assertThat(ProcessHandle.of(zombie).map(ProcessHandle::isAlive)).as("what Java says").contains(true);
            assertThat(ParentProcess.running(zombie)).isFalse();
            assertThat(ParentProcess.running(parent.pid())).isTrue();
        } finally {
            parent.destroyForcibly().waitFor();
        }
    }
}
