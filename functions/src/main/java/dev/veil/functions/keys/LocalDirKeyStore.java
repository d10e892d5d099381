package dev.veil.functions.keys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The embedded default: a directory whose sub-directories act as containers and whose files are the
 * bundles. The ETag is derived from the file's size, modification time and inode key; uploads replace
 * the file atomically, so a reader sees either the old or the new bundle, never a mix.
 */
public final class LocalDirKeyStore implements KeyStore {

    private final Path root;
    private final long maxBundleBytes;

    public LocalDirKeyStore(Path root, long maxBundleBytes) {
        this.root = root.toAbsolutePath().normalize();
        this.maxBundleBytes = maxBundleBytes;
    }

    @Override
    public String id() {
        return "dir:" + root;
    }

    private Path file(KeyRef ref) {
        // KeyRef's validation already excludes separators and "..": this resolve stays inside root.
        return root.resolve(ref.container()).resolve(ref.keyId());
    }

    @Override
    public OpenBundle open(KeyRef ref) {
        Path file = file(ref);
        try {
            String before = etagOf(file, ref);
            long size = Files.size(file);
            if (size > maxBundleBytes) {
                throw new InvalidKeyBundleException("key bundle '" + ref + "' is " + size + " bytes, above the limit of "
                    + maxBundleBytes);
            }
            return new OpenBundle(Files.newInputStream(file), size, before);
        } catch (NoSuchFileException e) {
            throw new KeyBundleNotFoundException(ref);
        } catch (IOException e) {
            throw new UncheckedIOException("reading key bundle " + ref, e);
        }
    }

    @Override
    public String etag(KeyRef ref) {
        return etagOf(file(ref), ref);
    }

    private static String etagOf(Path file, KeyRef ref) {
        try {
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
            if (!attrs.isRegularFile()) {
                throw new KeyBundleNotFoundException(ref);
            }
            return "\"" + attrs.size() + "-" + attrs.lastModifiedTime().toInstant() + "-" + attrs.fileKey() + "\"";
        } catch (NoSuchFileException e) {
            throw new KeyBundleNotFoundException(ref);
        } catch (IOException e) {
            throw new UncheckedIOException("reading key bundle " + ref, e);
        }
    }

    @Override
    public String upload(KeyRef ref, byte[] bundle) {
        Path file = file(ref);
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".upload-", ".tmp");
            Files.write(tmp, bundle);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return etag(ref);
        } catch (IOException e) {
            throw new UncheckedIOException("writing key bundle " + ref, e);
        }
    }
}
