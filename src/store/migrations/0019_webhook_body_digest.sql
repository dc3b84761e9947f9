-- A second identity for a delivery whose id header is not signed (Linear's Linear-Delivery):
-- the digest of its signed body. Within the service's freshness window a captured body sent
-- again under a new id is refused as the same delivery, while the service's own retries (a new
-- body: a new timestamp, under the same id) are still recognised by their id.
ALTER TABLE webhook_deliveries ADD COLUMN body_digest text;
CREATE UNIQUE INDEX webhook_deliveries_body_digest_idx
  ON webhook_deliveries (source, body_digest) WHERE body_digest IS NOT NULL;
