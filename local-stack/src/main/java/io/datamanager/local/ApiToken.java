package io.datamanager.local;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The local stack's write-scope API token, kept in {@code <data-dir>/api.token} (owner-only) so scripts and
 * subscribers that hold it keep working across {@code down} and {@code up}; {@code up --new-token} replaces it.
 */
final class ApiToken {
    static final String FILE = "api.token";

    private ApiToken() {}

    static String load(Path dataDir, boolean renew) throws IOException {
        return Secrets.kept(dataDir.resolve(FILE), () -> "dm_" + LocalStack.random(24), renew);
    }
}
