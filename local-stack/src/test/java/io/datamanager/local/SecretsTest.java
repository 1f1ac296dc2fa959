package io.datamanager.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsTest {
    @TempDir
    Path data;

    @Test
    void theTokenIsKeptOwnerOnlyAndReplacedOnlyWhenAsked() throws Exception {
        String first = ApiToken.load(data, false);
        assertThat(first).startsWith("dm_");
        assertThat(ApiToken.load(data, false)).as("the next up").isEqualTo(first);
        assertThat(Files.getPosixFilePermissions(data.resolve(ApiToken.FILE))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        String renewed = ApiToken.load(data, true);
        assertThat(renewed).as("up --new-token").isNotEqualTo(first);
        assertThat(ApiToken.load(data, false)).isEqualTo(renewed);
        assertThat(Files.getPosixFilePermissions(data.resolve(ApiToken.FILE))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }
}
