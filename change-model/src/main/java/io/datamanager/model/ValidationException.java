package io.datamanager.model;

/**
 * Bad input, with the field it concerns, so an API can answer with a problem+json body naming the field
 * and a pipeline stage can put the reason in a dead-letter header.
 */
public class ValidationException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public ValidationException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public ValidationException(String field, String message, Throwable cause) {
        super(field + ": " + message, cause);
        this.field = field;
    }

    /** The JSON path of the offending field, e.g. {@code filters[0].op}. */
    public String field() {
        return field;
    }

    /** The message without the field prefix. */
    public String reason() {
        return getMessage().substring(field.length() + 2);
    }
}
