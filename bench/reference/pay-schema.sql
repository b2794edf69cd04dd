-- R1's yardstick: the least SQL a confirmed top-up needs, on tables of its own (ref_*), created in
-- the bench database next to Paygate's. Not Paygate's schema: a ceiling for this machine's Postgres.
-- 1 000 clients and 400 000 pending payments, as the outside checks use.
DROP TABLE IF EXISTS ref_ledger, ref_outbox, ref_event, ref_callback, ref_payment, ref_client;
CREATE TABLE ref_client (id text PRIMARY KEY, balance numeric(18,2) NOT NULL DEFAULT 0 CHECK (balance >= 0));
CREATE TABLE ref_payment (id text PRIMARY KEY, client_id text NOT NULL REFERENCES ref_client(id), amount numeric(18,2) NOT NULL,
  status text NOT NULL, gateway_txn text, confirmed_at timestamptz, UNIQUE (gateway_txn));
CREATE TABLE ref_event (id bigserial PRIMARY KEY, payment_id text NOT NULL, from_status text, to_status text NOT NULL, at timestamptz NOT NULL DEFAULT now());
CREATE TABLE ref_callback (id bigserial PRIMARY KEY, kind text NOT NULL, body text NOT NULL, verdict text NOT NULL, at timestamptz NOT NULL DEFAULT now());
CREATE TABLE ref_outbox (id bigserial PRIMARY KEY, topic text NOT NULL, payment_id text NOT NULL, done boolean NOT NULL DEFAULT false);
CREATE TABLE ref_ledger (id bigserial PRIMARY KEY, client_id text NOT NULL, payment_id text NOT NULL, kind text NOT NULL, amount numeric(18,2) NOT NULL, UNIQUE (payment_id, kind));
INSERT INTO ref_client SELECT 'c' || g FROM generate_series(1, 1000) g;
INSERT INTO ref_payment SELECT 'p' || g, 'c' || (1 + g % 1000), 500, 'PENDING' FROM generate_series(1, 400000) g;
ANALYZE;
