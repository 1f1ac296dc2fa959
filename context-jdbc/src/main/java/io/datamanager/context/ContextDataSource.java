package io.datamanager.context;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} (PostgreSQL) whose connections write the current context, a JSON object, as a transactional
 * {@code dm.context} logical decoding message ({@code pg_logical_emit_message(true, 'dm.context', ...)}) before the
 * first statement of each transaction, so datamanager stores who and why with every version that transaction wrote.
 * <ul>
 * <li>In a transaction ({@code autoCommit=false}): once, before its first statement; again after each commit or
 * rollback, for the next transaction.</li>
 * <li>In auto-commit mode each statement is its own transaction, so the statement runs with the message in one
 * transaction: auto-commit is switched off around it, and it commits (or rolls back) at once, as auto-commit
 * would.</li>
 * <li>Only before a statement that may change rows: one that starts (after comments and parentheses) with
 * {@code INSERT}, {@code UPDATE}, {@code DELETE}, {@code MERGE}, {@code WITH}, {@code COPY}, {@code CALL},
 * {@code DO}, {@code EXECUTE} or {@code TRUNCATE}, and every batch. A reading transaction costs nothing (a message
 * gives a transaction an id and a commit record); a {@code SELECT} that changes rows through a function is not
 * seen: call {@code SELECT dm_context(...)} in it yourself.</li>
 * <li>No context (the supplier gives null) or a read-only connection: nothing is written.</li>
 * </ul>
 * A transaction begun or ended by SQL text ({@code BEGIN}, {@code COMMIT} as statements) instead of the JDBC
 * methods is not seen: use {@link Connection#setAutoCommit} and {@link Connection#commit}, as pools and ORMs do.
 */
public final class ContextDataSource implements DataSource {
    /** The logical decoding message prefix datamanager's capture publishes. */
    public static final String PREFIX = "dm.context";
    private static final String EMIT = "SELECT pg_logical_emit_message(true, '" + PREFIX + "', ?)";
    private static final java.util.Set<String> WRITING = java.util.Set.of("INSERT", "UPDATE", "DELETE", "MERGE", "WITH",
            "COPY", "CALL", "DO", "EXECUTE", "TRUNCATE");

    private final DataSource target;
    private final Supplier<String> context;

    /** Writes the context of {@link DmContext} scopes. */
    public ContextDataSource(DataSource target) {
        this(target, DmContext::currentJson);
    }

    /** Writes what {@code context} gives at the start of each transaction: a JSON object as text, or null for none. */
    public ContextDataSource(DataSource target, Supplier<String> context) {
        this.target = Objects.requireNonNull(target, "target");
        this.context = Objects.requireNonNull(context, "context");
    }

    /** Wraps one connection the same way, for code that has a connection rather than a data source. */
    public static Connection wrap(Connection connection, Supplier<String> context) {
        return (Connection) Proxy.newProxyInstance(ContextDataSource.class.getClassLoader(), new Class<?>[] {Connection.class},
                new ConnectionHandler(connection, context));
    }

    @Override
    public Connection getConnection() throws SQLException {
        return wrap(target.getConnection(), context);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return wrap(target.getConnection(username, password), context);
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return target.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        target.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        target.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return target.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return target.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return iface.isInstance(this) ? iface.cast(this) : target.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || target.isWrapperFor(iface);
    }

    private interface Call {
        Object run() throws Throwable;
    }

    /** One connection: whether the transaction it is in has had its context written yet. */
    static final class ConnectionHandler implements InvocationHandler {
        private final Connection raw;
        private final Supplier<String> context;
        private Connection proxy;
        private boolean written;

        ConnectionHandler(Connection raw, Supplier<String> context) {
            this.raw = raw;
            this.context = context;
        }

        @Override
        public Object invoke(Object self, Method method, Object[] args) throws Throwable {
            proxy = (Connection) self;
            Object result = invokeOn(raw, method, args);
            switch (method.getName()) {
                case "commit", "setAutoCommit" -> written = false;
                case "rollback" -> {
                    if (args == null || args.length == 0) {
                        written = false; // not a rollback to a savepoint: the transaction ended
                    }
                }
                case "createStatement" -> {
                    return statement((Statement) result, null);
                }
                case "prepareStatement", "prepareCall" -> {
                    return statement((Statement) result, (String) args[0]);
                }
                default -> {
                }
            }
            return result;
        }

        /** A statement whose executions write the context first; {@code prepared} is its SQL when it was prepared. */
        private Statement statement(Statement target, String prepared) {
            Class<?> type = target instanceof CallableStatement ? CallableStatement.class
                    : target instanceof PreparedStatement ? PreparedStatement.class : Statement.class;
            return (Statement) Proxy.newProxyInstance(ContextDataSource.class.getClassLoader(), new Class<?>[] {type},
                    (self, method, args) -> {
                        if (method.getName().startsWith("execute")) {
                            boolean batch = method.getName().endsWith("Batch");
                            String sql = prepared != null ? prepared : args != null && args.length > 0 && args[0] instanceof String text ? text : null;
                            if (batch || (sql != null && writes(sql))) {
                                return around(() -> invokeOn(target, method, args));
                            }
                        }
                        if (method.getName().equals("getConnection")) {
                            return proxy;
                        }
                        return invokeOn(target, method, args);
                    });
        }

        private Object around(Call statement) throws Throwable {
            String json = context.get();
            if (json == null || raw.isReadOnly()) {
                return statement.run();
            }
            if (!raw.getAutoCommit()) {
                if (!written) {
                    emit(json);
                    written = true;
                }
                return statement.run();
            }
            raw.setAutoCommit(false); // the statement and its context in one transaction, committed at once
            try {
                emit(json);
                Object result = statement.run();
                raw.commit();
                return result;
            } catch (Throwable failed) {
                try {
                    raw.rollback();
                } catch (SQLException alsoFailed) {
                    failed.addSuppressed(alsoFailed);
                }
                throw failed;
            } finally {
                raw.setAutoCommit(true);
            }
        }

        /** Whether the statement's first word says it may change rows. */
        static boolean writes(String sql) {
            int i = 0;
            int n = sql.length();
            while (i < n) {
                char c = sql.charAt(i);
                if (Character.isWhitespace(c) || c == '(') {
                    i++;
                } else if (sql.startsWith("--", i)) {
                    int end = sql.indexOf('\n', i);
                    i = end < 0 ? n : end + 1;
                } else if (sql.startsWith("/*", i)) {
                    int end = sql.indexOf("*/", i + 2);
                    i = end < 0 ? n : end + 2;
                } else {
                    break;
                }
            }
            int start = i;
            while (i < n && Character.isLetter(sql.charAt(i))) {
                i++;
            }
            return WRITING.contains(sql.substring(start, i).toUpperCase(java.util.Locale.ROOT));
        }

        private void emit(String json) throws SQLException {
            try (PreparedStatement emit = raw.prepareStatement(EMIT)) {
                emit.setString(1, json);
                emit.execute();
            }
        }

        private static Object invokeOn(Object target, Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }
}
