package io.datamanager.runtime;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * Unpacks the embedded PostgreSQL binaries into the folder zonky looks in ({@code PG-<md5 of the archive>}, ready
 * once it holds {@code .exists}), so that zonky finds them ready and never unpacks them itself. zonky unpacks in
 * memory (a small heap dies there) and, once interrupted, leaves a half-unpacked folder that fails every later
 * start. Here the archive is streamed into a folder of its own, marked complete and only then renamed into place,
 * under a file lock, so a start killed at any moment leaves nothing a later start trips on: leftovers are removed
 * before unpacking again.
 */
public final class PgBinaries {
    static final String ENV = "DM_PG_BINARIES_DIR";
    private static final String MARKER = ".exists";

    private PgBinaries() {}

    /** Where the binaries go: {@code $DM_PG_BINARIES_DIR}, else zonky's own default, shared with the tests. */
    public static Path defaultDir() {
        String dir = System.getenv(ENV);
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir).toAbsolutePath().normalize();
        }
        String zonky = System.getProperty("ot.epg.working-dir");
        return zonky != null ? Path.of(zonky) : Path.of(System.getProperty("java.io.tmpdir"), "embedded-pg");
    }

    /**
     * Makes sure the binaries are unpacked under {@code dir} and returns their folder; says on {@code progress}
     * when it unpacks (the first start on a machine) or repairs what an interrupted start left.
     */
    static Path prepare(Path dir, Consumer<String> progress) {
        try {
            Files.createDirectories(dir);
            String digest = digest();
            Path target = dir.resolve("PG-" + digest);
            if (Files.exists(target.resolve(MARKER))) {
                return target;
            }
            try (FileChannel lockFile = FileChannel.open(dir.resolve("PG-" + digest + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = lockFile.lock()) { // another start unpacking waits here; released by the OS if this one dies
                if (Files.exists(target.resolve(MARKER))) {
                    return target;
                }
                removeLeftovers(dir, digest, target, progress);
                Path partial = dir.resolve("PG-" + digest + ".partial-" + ProcessHandle.current().pid());
                progress.accept("unpacking the PostgreSQL binaries into " + dir + " (once per machine)");
                try {
                    unpack(partial);
                    Files.createFile(partial.resolve(MARKER));
                    Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException | RuntimeException e) {
                    delete(partial);
                    throw e;
                }
                return target;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not unpack the PostgreSQL binaries into " + dir + " (" + e.getMessage() + ", "
                    + freeSpace(dir) + " free): free some space there or point " + ENV + " at another folder, then run up again", e);
        }
    }

    /** What an interrupted unpacking left: a folder without its marker (zonky's own) and our partial folders. */
    private static void removeLeftovers(Path dir, String digest, Path target, Consumer<String> progress) throws IOException {
        if (Files.exists(target)) {
            progress.accept("removing the half-unpacked PostgreSQL binaries an interrupted start left in " + target);
            delete(target);
        }
        try (DirectoryStream<Path> partials = Files.newDirectoryStream(dir, "PG-" + digest + ".partial-*")) {
            for (Path partial : partials) {
                delete(partial);
            }
        }
    }

    private static void unpack(Path into) throws IOException {
        Files.createDirectories(into);
        try (InputStream archive = archive(); XZInputStream xz = new XZInputStream(new BufferedInputStream(archive));
                TarArchiveInputStream tar = new TarArchiveInputStream(xz)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path path = into.resolve(entry.getName()).normalize();
                if (!path.startsWith(into)) {
                    throw new IOException("the PostgreSQL archive has an entry outside its folder: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(path.getParent());
                    Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                } else if (entry.isLink()) {
                    Files.createDirectories(path.getParent());
                    Files.createLink(path, into.resolve(entry.getLinkName()));
                } else if (entry.isFile()) {
                    Files.createDirectories(path.getParent());
                    Files.copy(tar, path);
                    if (entry.getName().startsWith("bin/") || entry.getName().startsWith("./bin/")) {
                        path.toFile().setExecutable(true);
                    }
                } else {
                    throw new IOException("the PostgreSQL archive has an entry of an unknown kind: " + entry.getName());
                }
            }
        }
    }

    /** The hex MD5 of the archive, as zonky names the folder. */
    private static String digest() throws IOException {
        try (DigestInputStream in = new DigestInputStream(archive(), MessageDigest.getInstance("MD5"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InputStream archive() throws IOException {
        InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary("Linux", "x86_64");
        if (in == null) {
            throw new IOException("the PostgreSQL binaries for Linux x86_64 are not on the classpath");
        }
        return in;
    }

    private static void delete(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> all = Files.walk(path)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String freeSpace(Path dir) {
        try {
            FileStore store = Files.getFileStore(dir);
            return store.getUsableSpace() / (1024 * 1024) + " MB";
        } catch (IOException e) {
            return "unknown space";
        }
    }
}
