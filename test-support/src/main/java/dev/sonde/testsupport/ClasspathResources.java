package dev.sonde.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Classpath resources as files, for the tools that take a path (python3 for a load script, libbpf for an object). */
public final class ClasspathResources {

    private ClasspathResources() {
    }

    /**
     * The resource copied to a temporary file that is deleted when the JVM exits; the file's name ends as the
     * resource's does ({@code .py}, {@code .bpf.o}).
     *
     * @param owner a class whose loader sees the resource
     * @param resource an absolute resource name, e.g. {@code /it/rrload.py}
     */
    public static Path toTempFile(Class<?> owner, String resource) {
        String name = resource.substring(resource.lastIndexOf('/') + 1);
        int dot = name.indexOf('.');
        try (InputStream in = owner.getResourceAsStream(resource)) {
            if (in == null) {
                throw new AssertionError(resource + " is not on the classpath of " + owner.getName());
            }
            Path file = Files.createTempFile("sonde-" + (dot < 0 ? name : name.substring(0, dot)) + "-",
                    dot < 0 ? "" : name.substring(dot));
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("copying " + resource + " to a temporary file", e);
        }
    }
}
