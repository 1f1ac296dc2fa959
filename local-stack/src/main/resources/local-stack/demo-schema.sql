-- The demo shop of ./datamanager up (no --dsn): a few tables with a little data, changed by DemoActivity
-- while the stack runs, so history and notifications show at once.
CREATE TABLE customers (
    id         serial PRIMARY KEY,
    name       text NOT NULL,
    email      text NOT NULL UNIQUE,
    tier       text NOT NULL DEFAULT 'standard',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
    id    serial PRIMARY KEY,
    name  text NOT NULL,
    price numeric(10, 2) NOT NULL,
    tags  text[] NOT NULL DEFAULT '{}'
);

CREATE TABLE orders (
    id          serial PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES customers (id),
    status      text NOT NULL DEFAULT 'new',
    total       numeric(10, 2) NOT NULL DEFAULT 0,
    note        text,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE order_lines (
    order_id   integer NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_no    integer NOT NULL,
    product_id integer NOT NULL REFERENCES products (id),
    quantity   integer NOT NULL,
    PRIMARY KEY (order_id, line_no)
);

INSERT INTO customers (name, email, tier)
SELECT 'Customer ' || g, 'customer' || g || '@example.org', CASE WHEN g % 5 = 0 THEN 'gold' ELSE 'standard' END
FROM generate_series(1, 20) g;

INSERT INTO products (name, price, tags)
SELECT 'Product ' || g, (g * 3.25)::numeric(10, 2), ARRAY['demo', CASE WHEN g % 2 = 0 THEN 'even' ELSE 'odd' END]
FROM generate_series(1, 10) g;

INSERT INTO orders (customer_id, status, total)
SELECT 1 + (g % 20), 'new', 0 FROM generate_series(1, 50) g;

INSERT INTO order_lines (order_id, line_no, product_id, quantity)
SELECT o.id, l, 1 + ((o.id + l) % 10), 1 + (o.id % 3)
FROM orders o, generate_series(1, 2) l;

UPDATE orders o SET total = t.sum
FROM (SELECT ol.order_id, sum(p.price * ol.quantity) AS sum
      FROM order_lines ol JOIN products p ON p.id = ol.product_id GROUP BY ol.order_id) t
WHERE t.order_id = o.id;
