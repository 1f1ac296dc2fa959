package io.datamanager.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PgBinariesTest {
    @TempDir
    Path dir;

    @Test
    void unpacksOnceAndFindsThemReadyAfterwards() {
        List<String> said = new ArrayList<>();
        Path pg = PgBinaries.prepare(dir, said::add);

        assertThat(pg.resolve(".exists")).exists();
        assertThat(pg.resolve("bin/postgres")).isExecutable();
        assertThat(pg.resolve("bin/initdb")).isExecutable();
        assertThat(said).singleElement().asString().startsWith("unpacking the PostgreSQL binaries");

        said.clear();
        assertThat(PgBinaries.prepare(dir, said::add)).isEqualTo(pg);
        assertThat(said).as("nothing to unpack the second time").isEmpty();
    }

    @Test
    void aFolderWithoutItsMarkerIsUnpackedAgain() throws Exception {
        Path pg = PgBinaries.prepare(dir, line -> {});
        Files.delete(pg.resolve(".exists"));
        Files.delete(pg.resolve("bin/postgres"));
        Files.createDirectories(dir.resolve(pg.getFileName() + ".partial-1"));

        List<String> said = new ArrayList<>();
        assertThat(PgBinaries.prepare(dir, said::add)).isEqualTo(pg);

        assertThat(pg.resolve("bin/postgres")).isExecutable();
        assertThat(said.get(0)).startsWith("removing the half-unpacked PostgreSQL binaries");
        assertThat(dir.resolve(pg.getFileName() + ".partial-1")).doesNotExist();
    }

    @Test
    void aFolderThatCannotBeWrittenIsNamedWithWhatToDo() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("file"), "x");

        assertThatThrownBy(() -> PgBinaries.prepare(notADirectory.resolve("pg"), line -> {}))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("could not unpack the PostgreSQL binaries into " + notADirectory.resolve("pg"))
                .hasMessageContaining("DM_PG_BINARIES_DIR");
    }
}
