package io.datamanager.history.restore;

import java.util.List;

/**
 * The pasteable form of a parameterised statement: each {@code ?} replaced by its value as a quoted SQL literal
 * ({@code 'O''Brien'}, {@code NULL}), for people to read and run in psql; the parameterised form is what runs.
 */
final class SqlLiterals {
    private SqlLiterals() {}

    static String inline(String sql, List<Object> params) {
        StringBuilder out = new StringBuilder(sql.length() + 16 * params.size());
        int next = 0;
        char quote = 0; // inside "identifier" or 'literal': a ? there is text, not a placeholder
        for (int i = 0; i < sql.length(); i++) {
            char ch = sql.charAt(i);
            if (quote != 0) {
                if (ch == quote) {
                    quote = 0; // a doubled quote closes and reopens: same result
                }
                out.append(ch);
            } else if (ch == '"' || ch == '\'') {
                quote = ch;
                out.append(ch);
            } else if (ch == '?') {
                if (next >= params.size()) {
                    throw new IllegalStateException("more placeholders than parameters in " + sql);
                }
                out.append(literal(params.get(next++)));
            } else {
                out.append(ch);
            }
        }
        if (next != params.size()) {
            throw new IllegalStateException("more parameters than placeholders in " + sql);
        }
        return out.toString();
    }

    /** A standard SQL string literal (standard_conforming_strings, PostgreSQL's default: backslashes are plain). */
    static String literal(Object value) {
        if (value == null) {
            return "NULL";
        }
        String text = value.toString();
        if (text.indexOf('\\') >= 0) { // E'' reads the same under either setting of standard_conforming_strings
            return "E'" + text.replace("\\", "\\\\").replace("'", "''") + "'";
        }
        return "'" + text.replace("'", "''") + "'";
    }
}
