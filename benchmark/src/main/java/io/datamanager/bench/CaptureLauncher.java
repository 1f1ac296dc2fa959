package io.datamanager.bench;

import io.datamanager.capture.CaptureProcess;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place the benchmark starts datamanager's capture (today the embedded Debezium engine of connector-config,
 * configured by its {@code application.properties}; when capture becomes Debezium Server, only this changes). Its
 * slot exists already and nothing is snapshotted: capture reads what was written since the slot was created.
 */
final class CaptureLauncher {
    private CaptureLauncher() {}

    static CaptureProcess start(Platform platform, String prefix, String slot, Path log, List<String> jvmOptions, Map<String, String> extraEnv) {
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
        return CaptureProcess.start(env, log, jvmOptions);
    }
}
