-- One trace per run across processes (#20): the W3C traceparent of the run's root span, made
-- when the run is created. Whichever worker runs a step continues this trace; null when the
-- run was created with no trace exporter configured (a later worker may give it one).
ALTER TABLE runs ADD COLUMN trace_context text;
