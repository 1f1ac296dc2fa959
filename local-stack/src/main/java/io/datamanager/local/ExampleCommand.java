package io.datamanager.local;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ./datamanager example cacheupdate|httpnotify|kafkarules}: runs an example against the running stack. */
@Command(name = "example", description = "Runs an example (cacheupdate, httpnotify, kafkarules) against the running stack.")
final class ExampleCommand extends Cli.Common implements Callable<Integer> {
    private static final Map<String, String> MAINS = Map.of(
            "cacheupdate", "io.datamanager.examples.cacheupdate.CacheUpdateDemo",
            "httpnotify", "io.datamanager.examples.httpnotify.HttpNotifyDemo",
            "kafkarules", "io.datamanager.examples.kafkarules.KafkaRulesDemo");

    @Parameters(index = "0", description = "cacheupdate, httpnotify or kafkarules")
    String name;

    @Override
    public Integer call() throws Exception {
        String main = MAINS.get(name);
        if (main == null) {
            System.err.println("no example '" + name + "'; there are " + MAINS.keySet());
            return 2;
        }
        var run = RunFile.ofRunning(dataDir()).filter(r -> r.readyAt() != null);
        if (run.isEmpty()) {
            System.err.println("datamanager is not running: start it with ./datamanager up first");
            return 1;
        }
        Path module = Cli.home().resolve("examples").resolve(name);
        Path classpath = module.resolve("target/runtime.classpath");
        if (!Files.exists(classpath)) {
            System.err.println("the example is not built: ./mvnw -q -pl examples/" + name + " -am package -DskipTests");
            return 1;
        }
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(List.of(javaBin, "-cp",
                module.resolve("target/classes") + java.io.File.pathSeparator + Files.readString(classpath).trim(), main)).inheritIO();
        RunFile r = run.get();
        builder.environment().put("DM_URL", r.url());
        builder.environment().put("DM_TOKEN", r.token());
        builder.environment().put("DM_KAFKA", r.kafkaBootstrap());
        builder.environment().put("DM_SOURCE_JDBC_URL", r.sourceJdbcUrl() + (r.sourceJdbcUrl().contains("?") ? "&" : "?") + "user="
                + encode(r.sourceUser()) + "&password=" + encode(r.sourcePassword()));
        if (r.redisUrl() != null) {
            builder.environment().put("DM_REDIS_URL", r.redisUrl());
        } else if ("cacheupdate".equals(name)) {
            System.err.println("this stack runs without Redis (no redis-server on this machine): install it, or start up with --redis");
            return 1;
        }
        return builder.start().waitFor();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8);
    }
}
