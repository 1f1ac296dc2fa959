-- Tables of the capture tests: every common type, a TOASTed column under REPLICA IDENTITY DEFAULT,
-- a composite primary key, and a table without a primary key (REPLICA IDENTITY FULL).
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE all_types (
    id            bigint PRIMARY KEY,
    c_smallint    smallint,
    c_int         integer,
    c_bigint      bigint,
    c_numeric     numeric(12, 3),
    c_numeric_any numeric,
    c_real        real,
    c_double      double precision,
    c_bool        boolean,
    c_text        text,
    c_varchar     varchar(20),
    c_char        char(5),
    c_uuid        uuid,
    c_date        date,
    c_time        time,
    c_timestamp   timestamp,
    c_timestamp3  timestamp(3),
    c_timestamptz timestamptz,
    c_interval    interval,
    c_json        json,
    c_jsonb       jsonb,
    c_bytea       bytea,
    c_int_array   integer[],
    c_text_array  text[],
    c_date_array  date[],
    c_mood        mood,
    c_null        text
);
CREATE TABLE docs (id integer PRIMARY KEY, title text NOT NULL, body text NOT NULL);
CREATE TABLE line_items (order_id integer, line_no integer, qty integer NOT NULL, PRIMARY KEY (order_id, line_no));
CREATE TABLE audit_log (at timestamptz NOT NULL, message text NOT NULL);
ALTER TABLE audit_log REPLICA IDENTITY FULL;
-- JSON null ('null'::jsonb) beside SQL NULL, in json and jsonb; FULL so deletes send the whole before image
CREATE TABLE json_nulls (id integer PRIMARY KEY, j json, jb jsonb);
ALTER TABLE json_nulls REPLICA IDENTITY FULL;

INSERT INTO all_types VALUES (
    1, 7, 42, 9007199254740993, 12345.678, 'NaN', 1.5, 2.25, true,
    'héllo "quoted"', 'varchar', 'ab', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    '2026-11-23', '10:15:30.123456', '2026-11-23 10:15:30.123456', '2026-11-23 10:15:30.123',
    '2026-11-23 10:15:30.123456+00', '1 year 2 months 3 days 04:05:06.5',
    '{"a": 1, "b": [true, null]}', '{"nested": {"x": 1.10}}', '\xdeadbeef',
    '{1,2,3}', '{"a","b c"}', '{2026-01-01,2026-12-31}', 'happy', NULL);
-- about 32 kB of hex text: stored out of line (TOAST) even after compression
INSERT INTO docs VALUES (1, 'first', (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 1000) i));
