package io.datamanager.bench;

import java.nio.file.Path;

/** {@code ./datamanager bench}: runs the benchmark once and says where its report is. */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"); // the Kafka clients' INFO lines would bury the figures
        }
        if (args.length > 1 && args[0].equals("--summarise")) {
            // the profile summary of recordings made earlier (a run's profiles/*.jfr), without running again
            for (int i = 1; i < args.length; i++) {
                try {
                    Profiles.Summary s = Profiles.summarise(Path.of(args[i]).getFileName().toString(), Path.of(args[i]));
                    System.out.println(Profiling.summary(s));
                } catch (java.io.IOException e) {
                    System.err.println("cannot read " + args[i] + ": " + e);
                }
            }
            return;
        }
        if (java.util.Arrays.asList(args).contains("--help")) {
            System.out.println(BenchOptions.USAGE);
            return;
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(args, Path.of(System.getProperty("dm.home", ".")).toAbsolutePath().normalize());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        try {
            new Benchmark(options).run();
            System.exit(0);
        } catch (Exception e) {
            System.err.println("the benchmark failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }
}
