package io.datamanager.local;

import io.datamanager.runtime.LocalPostgres;
import io.datamanager.runtime.PgBinaries;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./datamanager}: up, status, down, db and example, on one machine. */
@Command(name = "datamanager", mixinStandardHelpOptions = true, version = "datamanager 0.1.0",
        description = "Runs the datamanager platform on this machine.",
        subcommands = {Cli.Up.class, StatusCommand.class, Cli.Down.class, Cli.Db.class, ExampleCommand.class, BenchCommand.class})
public final class Cli {

    /** Where the repository is: the services' jars are under it, the data directory by default too. */
    static Path home() {
        return Path.of(System.getProperty("dm.home", ".")).toAbsolutePath().normalize();
    }

    static class Common {
        @Option(names = "--data-dir", description = "where the stack keeps its data and logs (default: $DM_DATA_DIR, else .datamanager in the repository)")
        Path dataDir;

        Path dataDir() {
            String fromEnv = System.getenv("DM_DATA_DIR");
            Path dir = dataDir != null ? dataDir : fromEnv != null && !fromEnv.isBlank() ? Path.of(fromEnv) : home().resolve(".datamanager");
            return dir.toAbsolutePath().normalize();
        }
    }

    @Command(name = "up", description = "Starts the whole platform and waits; Ctrl-C stops it.")
    static final class Up extends Common implements Callable<Integer> {
        @Option(names = "--dsn", description = "capture this database (postgres://user:password@host:port/db) instead of the demo shop")
        String dsn;

        @Option(names = "--port-offset", defaultValue = "0", description = "added to every port (API 8080, Kafka 9092, PostgreSQL 5433, ...)")
        int portOffset;

        @Option(names = "--redis", description = "a Redis of yours for Redis delivery (default: run one when redis-server is installed)")
        String redis;

        @Option(names = "--no-activity", description = "the demo shop stays still")
        boolean noActivity;

        @Option(names = "--new-token", description = "replace the API token kept in the data directory (api.token) with a new one")
        boolean newToken;

        @Override
        public Integer call() throws Exception {
            Path data = dataDir();
            var running = RunFile.ofRunning(data);
            if (running.isPresent()) {
                System.err.println("datamanager is already running (pid " + running.get().pid() + ", " + running.get().url()
                        + "): ./datamanager down stops it");
                return 1;
            }
            LocalStack stack = new LocalStack(new LocalStack.Options(home(), data, Ports.withOffset(portOffset),
                    dsn == null ? null : Dsn.parse(dsn), redis, !noActivity, newToken), System.out);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                System.out.println("\nstopping datamanager...");
                stack.close();
                System.out.println("datamanager stopped cleanly");
                stopped.countDown();
            }, "dm-local-stop"));
            try {
                stack.start();
            } catch (Exception | LinkageError e) {
                // our own failures say what to do in their message; anything else shows what it was
                boolean ours = e instanceof IllegalStateException || e instanceof java.io.UncheckedIOException || e instanceof IllegalArgumentException;
                System.err.println("\ndatamanager did not start: " + (ours && e.getMessage() != null ? e.getMessage() : e.toString()));
                return 1; // the shutdown hook stops what did start
            }
            stopped.await();
            return 0;
        }
    }

    @Command(name = "down", description = "Stops a running stack cleanly.")
    static final class Down extends Common implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            var running = RunFile.ofRunning(dataDir());
            if (running.isEmpty()) {
                System.out.println("datamanager is not running (" + dataDir() + ")");
                return 0;
            }
            return new Stopper(dataDir(), running.get(), System.out).stop(java.time.Duration.ofSeconds(180)) ? 0 : 1;
        }
    }

    @Command(name = "db", description = "Starts only the stack's PostgreSQL (the demo shop and the history), to look or change while the rest is down.")
    static final class Db extends Common implements Callable<Integer> {
        @Option(names = "--port-offset", defaultValue = "0")
        int portOffset;

        @Override
        public Integer call() throws Exception {
            if (RunFile.ofRunning(dataDir()).isPresent()) {
                System.err.println("datamanager is running; its PostgreSQL is already up");
                return 1;
            }
            java.nio.file.Files.createDirectories(dataDir().resolve("logs"));
            LocalPostgres pg = LocalPostgres.start(dataDir().resolve("postgres"), Ports.withOffset(portOffset).postgres(), PgBinaries.defaultDir(),
                    System.out::println);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    pg.close();
                } catch (Exception e) {
                    System.err.println("stopping PostgreSQL failed: " + e);
                }
                stopped.countDown();
            }, "dm-db-stop"));
            System.out.println("PostgreSQL is up: psql -h 127.0.0.1 -p " + pg.port() + " -U " + LocalPostgres.USER + " " + DemoShop.DATABASE);
            System.out.println("Ctrl-C stops it; changes made now are captured at the next ./datamanager up");
            stopped.await();
            return 0;
        }
    }

    public static void main(String[] args) {
        int code = new CommandLine(new Cli()).execute(args);
        boolean stoppedBySignal = code == 0 && args.length > 0 && (args[0].equals("up") || args[0].equals("db"));
        if (!stoppedBySignal) {
            System.exit(code); // up and db return 0 only from their shutdown hook, where exit would wait for itself
        }
    }
}
