package io.datamanager.capture;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the embedded capture engine as a process: {@code java -cp ... io.datamanager.capture.CaptureMain
 * [application.properties]}. Without an argument it uses the shipped file; either way resolved against the
 * environment ({@code DM_PG_HOST}, {@code DM_KAFKA_BOOTSTRAP}, ...). Stops cleanly on SIGTERM or Ctrl-C, and
 * when the process named by {@code DM_PARENT_PID} ends; does not start when that process is gone already.
 */
public final class CaptureMain {
    private CaptureMain() {}

    public static void main(String[] args) throws InterruptedException {
        String parentPid = System.getenv("DM_PARENT_PID");
        long parent = parentPid == null || parentPid.isBlank() ? -1 : Long.parseLong(parentPid.trim());
        if (parent > 0 && !running(parent)) {
            // started by another process (tests, local stack) that is gone already: nobody would ever stop this one
            System.err.println("the parent process " + parent + " is gone: not starting capture");
            System.exit(1);
        }
        ServerConfig config = args.length > 0
                ? ServerConfig.load(Path.of(args[0]), System::getenv)
                : ServerConfig.load();
        CaptureEngine capture = CaptureEngine.start(config);
        if (parent > 0) {
            Thread watch = new Thread(() -> { // do not outlive the parent
                while (running(parent)) {
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        // check again
                    }
                }
                System.err.println("the parent process " + parent + " is gone: stopping capture");
                capture.close();
                Runtime.getRuntime().halt(0);
            }, "dm-parent-watch");
            watch.setDaemon(true);
            watch.start();
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

    /**
     * The process exists and is not a zombie: a parent that exited unreaped still looks alive to {@link ProcessHandle}.
     * (change-model's ParentProcess does the same; it is not on capture's classpath.)
     */
    private static boolean running(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        try {
            String stat = java.nio.file.Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int end = stat.lastIndexOf(')');
            return !(end > 0 && end + 2 < stat.length() && stat.charAt(end + 2) == 'Z');
        } catch (java.io.IOException | RuntimeException e) {
            return true;
        }
    }
}
