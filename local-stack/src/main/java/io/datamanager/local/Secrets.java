package io.datamanager.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Supplier;

/**
 * Secrets the stack keeps in its data directory across restarts (the API token, the redaction key): files only their
 * owner may read, written whole or not at all.
 */
final class Secrets {
    private Secrets() {}

    /** The secret in {@code file}; a new one from {@code make} when there is none yet or {@code renew} is set. */
    static String kept(Path file, Supplier<String> make, boolean renew) throws IOException {
        if (!renew && Files.exists(file)) {
            String kept = Files.readString(file).trim();
            if (!kept.isEmpty()) {
                return kept;
            }
        }
        String secret = make.get();
        writeOwnerOnly(file, secret.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return secret;
    }

    /** Replaces {@code file} at once with {@code content}, readable by its owner only: a reader sees the old or the new. */
    static void writeOwnerOnly(Path file, byte[] content) throws IOException {
        Path next = file.resolveSibling(file.getFileName() + ".next");
        Files.deleteIfExists(next);
        Files.createFile(next, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(next, content);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
