package io.datamanager.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.datamanager.testsupport.TestKafka;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The first {@code ./datamanager up} on a machine, as a newcomer runs it: the PostgreSQL binaries are not unpacked
 * yet (a folder of the test's own, never the one earlier tests filled) and the data directory is new; and a first
 * start killed while it unpacks them, after which the next start must repair what it left and come up.
 */
class ColdStartIT {

    @Test
    void theFirstUpOnAFreshMachineBecomesReady() throws Exception {
        Path work = workDir("cold");
        Datamanager dm = new Datamanager(work.resolve("data"));
        dm.env.put("DM_PG_BINARIES_DIR", work.resolve("pg-binaries").toString());

        Path log = work.resolve("up.log");
        Process up = dm.up(log, Duration.ofMinutes(5));
        System.out.println("first ./datamanager up with nothing unpacked: ready in " + Datamanager.readyIn(log) + " s");

        assertThat(Files.readString(log)).contains("unpacking the PostgreSQL binaries into " + work.resolve("pg-binaries"));
        assertThat(unpacked(work.resolve("pg-binaries"))).singleElement().satisfies(pg -> {
            assertThat(pg.resolve(".exists")).exists();
            assertThat(pg.resolve("bin/postgres")).isExecutable();
        });
        stop(dm, up);
    }

    @Test
    void anUpKilledWhileUnpackingLeavesNothingTheNextUpTripsOn() throws Exception {
        Path work = workDir("killed");
        Path binaries = work.resolve("pg-binaries");
        Datamanager dm = new Datamanager(work.resolve("data"));
        dm.env.put("DM_PG_BINARIES_DIR", binaries.toString());

        Process first = dm.start(work.resolve("up-1.log"), "up");
        Path[] partial = new Path[1];
        Awaitility.await("unpacking under way").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(10)).until(() -> {
            partial[0] = list(binaries).filter(p -> p.getFileName().toString().contains(".partial-")).findFirst().orElse(null);
            return partial[0] != null && Files.exists(partial[0].resolve("bin"));
        });
        first.destroyForcibly(); // SIGKILL: no shutdown hook runs, as with a power cut or kill -9
        assertThat(first.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(partial[0]).as("killed while unpacking").exists();
        assertThat(partial[0].resolve(".exists")).doesNotExist();
        // zonky's own way of failing leaves the final folder half-filled without its marker: the next start meets both
        Path halfUnpacked = binaries.resolve(partial[0].getFileName().toString().replaceAll("\\.partial-.*", ""));
        copy(partial[0], halfUnpacked);

        Path log = work.resolve("up-2.log");
        Process second = dm.up(log, Duration.ofMinutes(5));

        assertThat(Files.readString(log)).contains("removing the half-unpacked PostgreSQL binaries");
        assertThat(list(binaries).map(p -> p.getFileName().toString()).toList()).noneMatch(name -> name.contains(".partial-"));
        assertThat(halfUnpacked.resolve(".exists")).exists();
        stop(dm, second);
    }

    private static void stop(Datamanager dm, Process up) throws Exception {
        assertThat(dm.run("down")).contains("datamanager stopped");
        assertThat(up.waitFor(2, TimeUnit.MINUTES)).isTrue();
    }

    private static List<Path> unpacked(Path binaries) throws IOException {
        return list(binaries).filter(Files::isDirectory).toList();
    }

    private static Stream<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Stream.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList().stream();
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isSymbolicLink(p)) {
                    Files.createSymbolicLink(target, Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static Path workDir(String name) throws IOException {
        return Files.createDirectories(TestKafka.workDir().resolve(name + "-" + UUID.randomUUID().toString().substring(0, 8)));
    }
}
