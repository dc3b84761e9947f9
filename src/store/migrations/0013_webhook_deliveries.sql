-- Webhook deliveries from outside services (GitHub first), recorded before they are answered: a
-- delivery is acted on once, however often the service sends it again (a redelivery keeps its id).
CREATE TABLE webhook_deliveries (
  source text NOT NULL,
  delivery_id text NOT NULL,
  event text NOT NULL,
  action text,
  payload jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  handled_at timestamptz,
  outcome text,
  PRIMARY KEY (source, delivery_id)
);
CREATE INDEX webhook_deliveries_unhandled_idx
  ON webhook_deliveries (received_at) WHERE handled_at IS NULL;
