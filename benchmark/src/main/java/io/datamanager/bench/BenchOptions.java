package io.datamanager.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one benchmark run does: how many changes each workload writes, the latency rates and how long each runs,
 * whether to profile, and the JVM options given to every process it starts (after their own defaults, so they win).
 *
 * @param home the repository: the services' jars are under it, the report goes under {@code benchmark/target/bench}
 * @param w1 changes of W1 (100-row transactions), {@code w2} of W2 (1-row), {@code w3} of W3 (TOASTed values)
 */
public record BenchOptions(Path home, Path outRoot, boolean quick, int w1, int w2, int w3, List<Integer> rates,
        int latencySeconds, boolean profile, List<String> jvmOptions, Map<String, String> env, Map<String, String> brokerConfig,
        boolean keepData) {

    public BenchOptions {
        if (w1 < 200 || w2 < 100 || w3 < 100) {
            throw new IllegalArgumentException("--changes must be at least 200");
        }
        if (rates.isEmpty() || rates.stream().anyMatch(r -> r < 1)) {
            throw new IllegalArgumentException("--rates must name at least one positive rate");
        }
        if (latencySeconds < 1) {
            throw new IllegalArgumentException("--latency-seconds must be at least 1");
        }
        rates = List.copyOf(rates);
        jvmOptions = List.copyOf(jvmOptions);
        env = Map.copyOf(env);
        brokerConfig = Map.copyOf(brokerConfig);
    }

    static final String USAGE = """
            usage: ./datamanager bench [--quick] [--changes N] [--rates 100,1000,5000] [--latency-seconds S]
                                       [--profile] [--jvm-option OPTION]... [--env NAME=VALUE]... [--broker-config KEY=VALUE]...
                                       [--out DIR] [--keep-data]
              --quick            small workloads and short latency phases (about two minutes): what CI runs
              --changes N        changes of W1 (100-row transactions); W2 writes N/5, W3 N/20 (default 100000, quick 2000)
              --rates R,...      changes a second of the latency phases (default 100,1000,5000)
              --latency-seconds  how long each latency phase writes (default 10, quick 3)
              --profile          JFR on every JVM per stage and pg_stat_statements on PostgreSQL; summaries in the report
              --jvm-option OPT   added to every JVM the benchmark starts, after their defaults (e.g. -XX:TieredStopAtLevel=1)
              --env NAME=VALUE   added to the environment of capture and the services (e.g. DM_HISTORY_WRITERS=4)
              --broker-config K=V  a Kafka broker property replacing test-support's (e.g. log.flush.interval.messages=1)
              --out DIR          where runs go (default benchmark/target/bench)
              --keep-data        keep the run's PostgreSQL and Kafka data (removed by default)""";

    /** Parses the command line; {@code home} is the repository. */
    public static BenchOptions parse(String[] args, Path home) {
        boolean quick = false;
        boolean profile = false;
        boolean keep = false;
        Integer changes = null;
        Integer seconds = null;
        List<Integer> rates = List.of(100, 1000, 5000);
        List<String> jvm = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        Map<String, String> broker = new LinkedHashMap<>();
        Path out = home.resolve("benchmark/target/bench");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--quick" -> quick = true;
                case "--profile" -> profile = true;
                case "--keep-data" -> keep = true;
                case "--changes" -> changes = positive(value(args, ++i, a), a);
                case "--latency-seconds" -> seconds = positive(value(args, ++i, a), a);
                case "--rates" -> {
                    List<Integer> parsed = new ArrayList<>();
                    for (String r : value(args, ++i, a).split(",")) {
                        parsed.add(positive(r.trim(), a));
                    }
                    rates = parsed;
                }
                case "--jvm-option" -> jvm.add(value(args, ++i, a));
                case "--env" -> pair(value(args, ++i, a), a, env);
                case "--broker-config" -> pair(value(args, ++i, a), a, broker);
                case "--out" -> out = Path.of(value(args, ++i, a)).toAbsolutePath();
                default -> {
                    if (a.startsWith("--jvm-option=")) {
                        jvm.add(a.substring("--jvm-option=".length()));
                    } else {
                        throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
                    }
                }
            }
        }
        int w1 = changes != null ? changes : quick ? 2_000 : 100_000;
        return new BenchOptions(home, out, quick, w1, Math.max(w1 / 5, 100), Math.max(w1 / 20, 100), rates,
                seconds != null ? seconds : quick ? 3 : 10, profile, jvm, env, broker, keep);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
        }
        return args[i];
    }

    private static void pair(String s, String option, Map<String, String> into) {
        int eq = s.indexOf('=');
        if (eq < 1) {
            throw new IllegalArgumentException(option + " must be NAME=VALUE, was '" + s + "'");
        }
        into.put(s.substring(0, eq), s.substring(eq + 1));
    }

    private static int positive(String s, String option) {
        try {
            int v = Integer.parseInt(s.replace("_", "").replace(",", ""));
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " must be a positive whole number, was '" + s + "'");
    }

    /** How long a stage may take before the run gives up on it. */
    java.time.Duration stageTimeout(int changes) {
        return java.time.Duration.ofSeconds(Math.max(quick ? 120 : 180, changes / 100));
    }
}
