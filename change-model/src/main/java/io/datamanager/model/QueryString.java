package io.datamanager.model;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A request's path and query read strictly, before any route uses them: every name and value percent-decoded as
 * UTF-8 (a malformed escape or bytes that are not UTF-8 refused, never replaced), text PostgreSQL can hold
 * ({@link Input#text}), only the parameters the route declares, each at most once, and no matrix parameters in
 * the path (JAX-RS would drop {@code ;ls} from {@code acc-;ls} without a word).
 */
public final class QueryString {
    /** One decoded {@code name=value}. */
    public record Parameter(String name, String value) {}

    private QueryString() {}

    /** The parameters of a raw query string ({@code null}: none), in order. */
    public static List<Parameter> parse(String rawQuery) {
        List<Parameter> out = new ArrayList<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), "query", true);
            Input.text("query", name);
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), name, true);
            out.add(new Parameter(name, Input.text(name, value)));
        }
        return out;
    }

    /**
     * Refuses a parameter the route does not declare (by name, or a prefix such as {@code pk.} followed by a
     * column), one without a name, and one given twice.
     */
    public static void check(List<Parameter> parameters, Collection<String> names, Collection<String> prefixes) {
        Set<String> seen = new HashSet<>();
        for (Parameter p : parameters) {
            if (p.name().isEmpty()) {
                throw new ValidationException("query", "has a parameter without a name");
            }
            String prefix = prefixes.stream().filter(p.name()::startsWith).findFirst().orElse(null);
            if (prefix != null && p.name().length() == prefix.length()) {
                throw new ValidationException(p.name(), prefix.equals("context.")
                        ? "must name a key of the application context, like context.source"
                        : "must name a column, like " + prefix + "id");
            }
            if (prefix == null && !names.contains(p.name())) {
                List<String> known = new ArrayList<>(names);
                prefixes.forEach(x -> known.add(x + (x.equals("context.") ? "<key>" : "<column>")));
                throw new ValidationException(p.name(), "is not a parameter of this route" + (known.isEmpty() ? " (it takes none)"
                        : " (it takes " + String.join(", ", known.stream().sorted().toList()) + ")"));
            }
            if (!seen.add(p.name())) {
                throw new ValidationException(p.name(), "is given more than once");
            }
        }
    }

    /** Refuses matrix parameters, malformed escapes, bytes that are not UTF-8 and NUL anywhere in a raw path. */
    public static void checkPath(String rawPath) {
        if (rawPath.indexOf(';') >= 0) {
            throw new ValidationException("path", "must not contain ';' (matrix parameters are not supported): encode it as %3B");
        }
        Input.text("path", decode(rawPath, "path", false));
    }

    private static String decode(String raw, String field, boolean plusIsSpace) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length() || Character.digit(raw.charAt(i + 1), 16) < 0 || Character.digit(raw.charAt(i + 2), 16) < 0) {
                    throw new ValidationException(field, "has a malformed percent escape");
                }
                bytes.write(Character.digit(raw.charAt(i + 1), 16) * 16 + Character.digit(raw.charAt(i + 2), 16));
                i += 2;
            } else if (c == '+' && plusIsSpace) {
                bytes.write(' ');
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new ValidationException(field, "is not UTF-8 once percent-decoded: encode text as UTF-8");
        }
    }
}
