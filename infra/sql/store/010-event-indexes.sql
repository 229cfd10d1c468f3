-- Indexes on Marten's event table beyond Marten's own: views of the past select events by when
-- they happened (the occurred-at header, EventHeaders.OccurredAt) and when they were recorded.
-- ReadinessStore.AuditIndexes names them so that Marten leaves them be.

CREATE INDEX IF NOT EXISTS mt_events_occurred_at ON readiness.mt_events ((headers->>'occurred-at'));
CREATE INDEX IF NOT EXISTS mt_events_timestamp ON readiness.mt_events (timestamp);

-- The chain of command is built from registrations and reorganisation orders alone
-- (EventCatalogue.StructureNames): every silo reads them whole, and asks often whether they changed.
CREATE INDEX IF NOT EXISTS mt_events_structure ON readiness.mt_events (seq_id)
    WHERE type IN ('unit_registered', 'unit_resubordinated', 'unit_renamed', 'unit_dissolved');
