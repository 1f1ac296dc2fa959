package io.datamanager.local;

import io.datamanager.context.ContextDataSource;
import io.datamanager.context.DmContext;
import io.datamanager.runtime.LocalPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The demo database of a stack without {@code --dsn}: the schema and data of {@code demo-schema.sql}, a mistaken
 * delete to restore, and a little activity (an order moving on, a new order, a customer changing) every two
 * seconds while the stack runs, so history and notifications show at once. Every change says who made it and why
 * (application context through {@link ContextDataSource}, as an application would), so history shows it too.
 */
final class DemoShop {
    static final String DATABASE = "shop";
    /** The order the demo deletes by mistake, once, for the restore example. */
    static final int MISTAKEN_ORDER = 3;
    private static final String[] ACTIONS = {
        "UPDATE orders SET status = CASE status WHEN 'new' THEN 'paid' WHEN 'paid' THEN 'packed' WHEN 'packed' THEN 'shipped' "
            + "ELSE 'delivered' END, updated_at = now() "
            + "WHERE id = (SELECT id FROM orders WHERE status <> 'delivered' ORDER BY random() LIMIT 1)",
        "WITH o AS (INSERT INTO orders (customer_id) SELECT id FROM customers ORDER BY random() LIMIT 1 RETURNING id) "
            + "INSERT INTO order_lines (order_id, line_no, product_id, quantity) "
            + "SELECT o.id, l, 1 + (random() * 9)::int, 1 + (random() * 3)::int FROM o, generate_series(1, 2) l",
        "UPDATE customers SET tier = CASE tier WHEN 'gold' THEN 'standard' ELSE 'gold' END "
            + "WHERE id = (SELECT id FROM customers ORDER BY random() LIMIT 1)",
        "UPDATE orders SET note = 'called at ' || to_char(now(), 'HH24:MI:SS'), updated_at = now() "
            + "WHERE id = (SELECT id FROM orders ORDER BY random() LIMIT 1)",
    };

    /** Who does each action, and why: the context written with it. */
    private static final String[][] WHO = {
        {"warehouse-app", "moves the order on"},
        {"web-shop", "new order"},
        {"crm-sync", "tier recalculated"},
        {"support-desk", "customer called"},
    };

    private final LocalPostgres pg;
    private volatile boolean running;
    private Thread thread;

    DemoShop(LocalPostgres pg) {
        this.pg = pg;
    }

    /** Creates the database and its schema with data, the first time; true when it did. */
    boolean ensure() throws SQLException, IOException {
        boolean created = pg.ensureDatabase(DATABASE);
        if (created) {
            try (InputStream in = DemoShop.class.getResourceAsStream("/local-stack/demo-schema.sql");
                    Connection c = pg.connect(DATABASE); Statement s = c.createStatement()) {
                s.execute(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        try (Connection c = pg.connect(DATABASE)) {
            DmContext.installFunction(c); // dm_context(jsonb), for trying context from psql
        }
        return created;
    }

    /** Deletes the mistaken order (and its lines) if it is still there. */
    void makeTheMistake() throws SQLException {
        try (DmContext.Scope who = DmContext.with(Map.of("source", "admin-script", "user", "intern", "reason", "remove test orders"));
                Connection c = withContext(); Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM orders WHERE id = " + MISTAKEN_ORDER);
        }
    }

    /** A connection whose transactions carry the thread's {@link DmContext}. */
    private Connection withContext() throws SQLException {
        return ContextDataSource.wrap(pg.connect(DATABASE), DmContext::currentJson);
    }

    void startActivity() {
        running = true;
        thread = new Thread(this::act, "demo-activity");
        thread.setDaemon(true);
        thread.start();
    }

    void stopActivity() throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.interrupt();
            thread.join(5_000);
        }
    }

    /** A change every two seconds; while PostgreSQL is down (the supervisor restarts it) it waits and connects again. */
    private void act() {
        boolean paused = false;
        while (running) {
            try (Connection c = withContext(); Statement s = c.createStatement()) {
                if (paused) {
                    System.out.println("  demo activity   goes on");
                    paused = false;
                }
                while (running) {
                    int action = ThreadLocalRandom.current().nextInt(ACTIONS.length);
                    try (DmContext.Scope who = DmContext.with(Map.of("source", WHO[action][0], "reason", WHO[action][1],
                            "request", "demo-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 20)))) {
                        s.execute(ACTIONS[action]);
                    }
                    Thread.sleep(2_000);
                }
            } catch (InterruptedException stopping) {
                Thread.currentThread().interrupt();
                return;
            } catch (SQLException e) {
                if (running && !paused) {
                    System.out.println("  demo activity   paused: " + e.getMessage().lines().findFirst().orElse(""));
                    paused = true;
                }
                try {
                    Thread.sleep(2_000);
                } catch (InterruptedException stopping) {
                    return;
                }
            }
        }
    }
}
