package io.datamanager.capture;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the embedded capture engine as a process: {@code java -cp ... io.datamanager.capture.CaptureMain
 * [application.properties]}. Without an argument it uses the shipped file; either way resolved against the
 * environment ({@code DM_PG_HOST}, {@code DM_KAFKA_BOOTSTRAP}, ...). Stops cleanly on SIGTERM or Ctrl-C, and
 * when the process named by {@code DM_PARENT_PID} ends.
 */
public final class CaptureMain {
    private CaptureMain() {}

    public static void main(String[] args) throws InterruptedException {
        ServerConfig config = args.length > 0
                ? ServerConfig.load(Path.of(args[0]), System::getenv)
                : ServerConfig.load();
        CaptureEngine capture = CaptureEngine.start(config);
        String parent = System.getenv("DM_PARENT_PID");
        if (parent != null) {
            // started by another process (tests, local stack): do not outlive it
            ProcessHandle.of(Long.parseLong(parent)).ifPresent(p -> p.onExit().thenRun(() -> {
                capture.close();
                Runtime.getRuntime().halt(0);
            }));
        }
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            capture.close();
            done.countDown();
        }, "dm-capture-stop"));
        while (capture.isRunning()) {
            if (done.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
                return;
            }
        }
        if (capture.failure() != null) {
            System.err.println("capture failed: " + capture.failure());
            System.exit(1);
        }
    }
}
