package io.datamanager.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code ./datamanager bench}: the performance benchmark (module {@code benchmark}) in a JVM of its own, with the
 * benchmark's runtime classpath: it starts its own PostgreSQL, Kafka, Redis and services, whatever stack is running.
 */
@Command(name = "bench", description = "Measures bare Debezium, capture, the whole pipeline and history ingest on this machine; "
        + "the report goes to benchmark/target/bench/latest (options: --quick, --changes N, --profile, --jvm-option OPT, --help).")
final class BenchCommand implements Callable<Integer> {
    /** Everything after {@code bench}, handed to the benchmark as it is. */
    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Path module = Cli.home().resolve("benchmark");
        Path classpath = module.resolve("target/benchmark.classpath");
        if (!Files.exists(classpath)) {
            System.err.println("the benchmark is not built: ./mvnw -q -pl benchmark -am package -DskipTests");
            return 1;
        }
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(javaBin, "-Xmx1g", "-Ddm.home=" + Cli.home(), "-cp",
                module.resolve("target/classes") + java.io.File.pathSeparator + Files.readString(classpath).trim(), "io.datamanager.bench.BenchMain"));
        command.addAll(args);
        return new ProcessBuilder(command).inheritIO().start().waitFor();
    }
}
