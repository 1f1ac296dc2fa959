package io.datamanager.history.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.datamanager.model.ChangeEvent;
import io.datamanager.model.ExactJson;
import io.datamanager.model.Input;
import io.datamanager.model.Json;
import io.datamanager.model.Op;
import io.datamanager.model.RowKey;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A record of {@code dm.changes} read straight into its COPY line, without the trees of its row images: they are
 * checked (JSON, UTF-8) and copied as written, since jsonb keeps the same value whatever their spacing and key order.
 * Reading a change into a {@link ChangeEvent} and writing its images out again was most of the ingest's CPU (JFR of
 * {@code IngestBenchmark}: parsing 39 %, making the line 35 % of the ingest's threads).
 *
 * <p>It reads only what it can read exactly as {@link ChangeEvent#fromJson} would: each field once, of its one
 * type, with every rule of {@link ChangeEvent}'s constructor ({@link ChangeEvent#check}). Anything else (a field unknown or twice, a coercion,
 * a {@code \\u} escape in an image, bytes that are not UTF-8, any rule broken) makes it decline, and the caller reads
 * the record the usual way, which stores it or names what is wrong with it; so the two ways never disagree on what
 * is refused.
 */
final class DirectVersion {
    private static final JsonFactory FACTORY = Json.mapper().getFactory();

    /**
     * Records larger than this are read the usual way: the images are skipped here, not decoded, so a limit of the parser on a
     * string's length would not refuse them here as it does there.
     */
    private static final int LARGEST = 1 << 20;

    private DirectVersion() {}

    /** The version of a record, or null to read it the usual way. */
    static VersionRow read(byte[] json) {
        if (json.length > LARGEST) {
            return null;
        }
        try (JsonParser p = FACTORY.createParser(json)) {
            return read(p, json);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static VersionRow read(JsonParser p, byte[] json) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        int seen = 0;
        int v = 0;
        String id = null;
        String table = null;
        Op op = null;
        ObjectNode pk = null;
        int beforeFrom = -1;
        int beforeTo = -1;
        int afterFrom = -1;
        int afterTo = -1;
        List<String> changed = List.of();
        boolean complete = false;
        List<String> missing = List.of();
        String lsn = null;
        Long txId = null;
        Instant commitTs = null;
        Instant captureTs = null;
        List<String> jsonNulls = List.of();
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            int field = field(p.currentName());
            if (field < 0 || (seen & field) != 0) {
                return null; // unknown, or twice
            }
            seen |= field;
            t = p.nextToken();
            switch (field) {
                case V -> {
                    if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
                        return null;
                    }
                    v = p.getIntValue();
                }
                case ID -> id = string(p, t);
                case TABLE_FIELD -> table = string(p, t);
                case OP -> op = t == JsonToken.VALUE_STRING ? Op.fromWireName(p.getText()) : null;
                case PK -> pk = t == JsonToken.START_OBJECT ? ExactJson.object(p, "pk") : null;
                case BEFORE, AFTER -> {
                    if (t == JsonToken.START_OBJECT) {
                        int from = (int) p.currentTokenLocation().getByteOffset();
                        int to = plainObjectEnd(p, json);
                        if (to < 0) {
                            return null;
                        }
                        if (field == BEFORE) {
                            beforeFrom = from;
                            beforeTo = to;
                        } else {
                            afterFrom = from;
                            afterTo = to;
                        }
                    } else if (t != JsonToken.VALUE_NULL) {
                        return null;
                    }
                }
                case CHANGED -> changed = strings(p, t);
                case COMPLETE -> {
                    if (!t.isBoolean()) {
                        return null;
                    }
                    complete = t == JsonToken.VALUE_TRUE;
                }
                case MISSING -> missing = strings(p, t);
                case LSN -> lsn = string(p, t);
                case TX_ID -> {
                    if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                        txId = p.getLongValue();
                    } else if (t != JsonToken.VALUE_NULL) {
                        return null;
                    }
                }
                case COMMIT_TS -> commitTs = t == JsonToken.VALUE_STRING ? Input.instant("commitTs", p.getText()) : null;
                case CAPTURE_TS -> {
                    if (t == JsonToken.VALUE_STRING) {
                        captureTs = Input.instant("captureTs", p.getText());
                    } else if (t != JsonToken.VALUE_NULL) {
                        return null;
                    }
                }
                case JSON_NULLS -> jsonNulls = strings(p, t);
                case CONTEXT -> {
                    if (t == JsonToken.START_OBJECT ? plainObjectEnd(p, json) < 0 : t != JsonToken.VALUE_NULL) {
                        return null;
                    }
                }
                default -> {
                    return null;
                }
            }
            if (changed == null || missing == null || jsonNulls == null) {
                return null;
            }
        }
        if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
            return null;
        }
        ChangeEvent.check(v, id, table, op, pk != null, beforeFrom >= 0, afterFrom >= 0, changed, complete,
                missing, lsn, commitTs, jsonNulls); // every rule of the constructor: it throws, and the usual way says why
        CopyRows.Line line = new CopyRows.Line(json.length + 200);
        line.first(id);
        line.text(table);
        line.text(RowKey.canonical(pk));
        line.text(pk.toString());
        line.text(op.wireName());
        image(line, json, beforeFrom, beforeTo);
        image(line, json, afterFrom, afterTo);
        CopyRows.rest(line, changed, complete, missing, lsn, txId, commitTs, captureTs, jsonNulls);
        return new VersionRow(table, commitTs, line.end());
    }

    private static void image(CopyRows.Line line, byte[] json, int from, int to) {
        if (from < 0) {
            line.nul();
        } else {
            line.raw(json, from, to);
        }
    }

    /**
     * Skips the object that starts at the parser's token (its JSON syntax checked on the way) and returns the offset just
     * past it, or -1 when its bytes are not {@link #plainUtf8}.
     */
    private static int plainObjectEnd(JsonParser p, byte[] json) throws IOException {
        int from = (int) p.currentTokenLocation().getByteOffset();
        p.skipChildren();
        int to = (int) p.currentLocation().getByteOffset();
        return plainUtf8(json, from, to) ? to : -1;
    }

    private static String string(JsonParser p, JsonToken t) throws IOException {
        return t == JsonToken.VALUE_STRING ? p.getText() : null;
    }

    /** A JSON array of strings (null: empty, as the usual way reads it); null for anything else. */
    private static List<String> strings(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return List.of();
        }
        if (t != JsonToken.START_ARRAY) {
            return null;
        }
        List<String> out = new ArrayList<>();
        while ((t = p.nextToken()) == JsonToken.VALUE_STRING) {
            out.add(p.getText());
        }
        return t == JsonToken.END_ARRAY ? List.copyOf(out) : null;
    }

    /**
     * Whether {@code json[from, to)} is well-formed UTF-8 (no overlong form, no surrogate, nothing past U+10FFFF) without
     * a {@code \\u} escape: an escape may stand for a character jsonb refuses (NUL, a lone surrogate), which the usual way
     * decides about.
     */
    static boolean plainUtf8(byte[] b, int from, int to) {
        int i = from;
        while (i < to) {
            int c = b[i] & 0xff;
            if (c < 0x80) {
                if (c == '\\' && i + 1 < to && b[i + 1] == 'u') {
                    return false;
                }
                i += c == '\\' ? 2 : 1; // an escaped backslash is not the start of another escape
                continue;
            }
            int n;
            int min;
            if (c >= 0xC2 && c <= 0xDF) {
                n = 1;
                min = 0x80;
            } else if (c >= 0xE0 && c <= 0xEF) {
                n = 2;
                min = 0x800;
            } else if (c >= 0xF0 && c <= 0xF4) {
                n = 3;
                min = 0x10000;
            } else {
                return false;
            }
            if (i + n >= to) {
                return false;
            }
            int cp = c & (0x3F >> n);
            for (int k = 1; k <= n; k++) {
                int cont = b[i + k] & 0xff;
                if ((cont & 0xC0) != 0x80) {
                    return false;
                }
                cp = (cp << 6) | (cont & 0x3F);
            }
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                return false;
            }
            i += n + 1;
        }
        return true;
    }

    private static final int V = 1;
    private static final int ID = 1 << 1;
    private static final int TABLE_FIELD = 1 << 2;
    private static final int OP = 1 << 3;
    private static final int PK = 1 << 4;
    private static final int BEFORE = 1 << 5;
    private static final int AFTER = 1 << 6;
    private static final int CHANGED = 1 << 7;
    private static final int COMPLETE = 1 << 8;
    private static final int MISSING = 1 << 9;
    private static final int LSN = 1 << 10;
    private static final int TX_ID = 1 << 11;
    private static final int COMMIT_TS = 1 << 12;
    private static final int CAPTURE_TS = 1 << 13;
    private static final int JSON_NULLS = 1 << 14;
    private static final int CONTEXT = 1 << 15;

    private static int field(String name) {
        return switch (name) {
            case "v" -> V;
            case "id" -> ID;
            case "table" -> TABLE_FIELD;
            case "op" -> OP;
            case "pk" -> PK;
            case "before" -> BEFORE;
            case "after" -> AFTER;
            case "changed" -> CHANGED;
            case "complete" -> COMPLETE;
            case "missing" -> MISSING;
            case "lsn" -> LSN;
            case "txId" -> TX_ID;
            case "commitTs" -> COMMIT_TS;
            case "captureTs" -> CAPTURE_TS;
            case "jsonNulls" -> JSON_NULLS;
            case "context" -> CONTEXT;
            default -> -1;
        };
    }
}
