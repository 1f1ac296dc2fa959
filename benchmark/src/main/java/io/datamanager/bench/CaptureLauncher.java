package io.datamanager.bench;

import io.datamanager.runtime.CaptureServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place the benchmark starts datamanager's capture: Debezium Server with connector-config's
 * {@code application.properties}, as the local stack runs it. Its slot exists already and nothing is snapshotted:
 * capture reads what was written since the slot was created.
 */
final class CaptureLauncher {
    private CaptureLauncher() {}

    /** The capture JVM's own options, as the local stack gives them, before the benchmark's. */
    static final String DEFAULT_JAVA_OPTS = String.join(" ", io.datamanager.runtime.ServiceProcess.JVM_OPTIONS);

    static CaptureServer start(Platform platform, String prefix, String slot, Path log, List<String> jvmOptions, Map<String, String> extraEnv) {
        Map<String, String> env = new HashMap<>();
        env.put("DM_PG_HOST", "127.0.0.1");
        env.put("DM_PG_PORT", Integer.toString(platform.pgPort()));
        env.put("DM_PG_DATABASE", Platform.SOURCE_DB);
        env.put("DM_PG_USER", "postgres");
        env.put("DM_PG_PASSWORD", "");
        env.put("DM_PG_SSLMODE", "disable");
        env.put("DM_KAFKA_BOOTSTRAP", platform.bootstrap());
        env.put("DM_TOPIC_PREFIX", prefix);
        env.put("DM_SLOT_NAME", slot);
        env.put("DM_PUBLICATION_NAME", Platform.PUBLICATION);
        env.put("DM_SNAPSHOT_MODE", "no_data");
        env.putAll(extraEnv);
        Path home = Path.of(System.getProperty("dm.home", ".")).toAbsolutePath().normalize();
        return CaptureServer.start(CaptureServer.Layout.of(home), log.resolveSibling(log.getFileName().toString().replace(".log", "") + "-server"),
                env, log, io.datamanager.runtime.FreePorts.pick(), String.join(" ", DEFAULT_JAVA_OPTS, String.join(" ", jvmOptions)).trim());
    }
}
