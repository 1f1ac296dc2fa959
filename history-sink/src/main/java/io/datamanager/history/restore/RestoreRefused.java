package io.datamanager.history.restore;

/**
 * A restore refused for a reason the caller can act on, as a problem with its status: history does not yet hold
 * every change (409), the source database refused a statement (409 for a constraint, 422 otherwise; rolled back),
 * rows in a foreign-key cycle that cannot be deferred (422). {@code details} goes under the problem's {@code restore}.
 */
public final class RestoreRefused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    public final int status;
    public final String title;
    public final transient Object details;

    RestoreRefused(int status, String title, String detail, Object details, Throwable cause) {
        super(detail, cause);
        this.status = status;
        this.title = title;
        this.details = details;
    }
}
