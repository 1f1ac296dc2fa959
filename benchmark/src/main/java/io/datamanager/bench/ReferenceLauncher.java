package io.datamanager.bench;

import io.datamanager.testsupport.ChildProcesses;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts the reference, bare Debezium into Kafka ({@code benchmark-reference}'s {@code ReferenceMain}), as a child
 * JVM with that module's own classpath (Debezium's Kafka 4.3 beside the benchmark's 4.1) and no JVM flags of ours:
 * the JDK's defaults (G1, C2), as anyone running Debezium would. Only profiling options are added.
 */
final class ReferenceLauncher {
    private static final String CLASSPATH_RESOURCE = "/io/datamanager/bench/reference/reference.classpath";
    private static final String MAIN = "io.datamanager.bench.reference.ReferenceMain";

    private ReferenceLauncher() {}

    static Process start(Platform platform, String prefix, String slot, Path offsets, Path log, List<String> profiling) {
        List<String> command = new ArrayList<>();
        command.add(ChildProcesses.java());
        command.addAll(profiling);
        command.add("-cp");
        command.add(classpath());
        command.add(MAIN);
        ProcessBuilder builder = new ProcessBuilder(ChildProcesses.ownSession(command)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(Map.of(
                "REF_PG_HOST", "127.0.0.1",
                "REF_PG_PORT", Integer.toString(platform.pgPort()),
                "REF_PG_USER", "postgres",
                "REF_PG_DATABASE", Platform.SOURCE_DB,
                "REF_SLOT", slot,
                "REF_PUBLICATION", Platform.PUBLICATION,
                "REF_TOPIC_PREFIX", prefix,
                "REF_KAFKA_BOOTSTRAP", platform.bootstrap(),
                "REF_OFFSETS_FILE", offsets.toString(),
                "DM_PARENT_PID", Long.toString(ProcessHandle.current().pid())));
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the reference", e);
        }
    }

    /** The reference module's classes (folder or jar) and the jars it resolved at build time. */
    static String classpath() {
        URL resource = ReferenceLauncher.class.getResource(CLASSPATH_RESOURCE);
        if (resource == null) {
            throw new IllegalStateException(CLASSPATH_RESOURCE + " is missing: build benchmark/reference with ./mvnw first");
        }
        String url = URLDecoder.decode(resource.toString(), StandardCharsets.UTF_8);
        String own;
        if (url.startsWith("jar:file:")) {
            own = url.substring("jar:file:".length(), url.indexOf("!/"));
        } else if (url.startsWith("file:")) {
            own = url.substring("file:".length(), url.length() - CLASSPATH_RESOURCE.length());
        } else {
            throw new IllegalStateException("cannot locate the reference module from " + url);
        }
        try (InputStream in = resource.openStream()) {
            return own + java.io.File.pathSeparator + new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
