-- Work lists (issue 25): what the screens of registrars, executors and heads ask all day, each
-- served by an index. Two values of the card's JSON become columns kept by the card write path:
-- the approval in progress (`pending`: forwarding_requested, forwarding_approved,
-- extension_requested, extension_approved) and the executor the card was routed to.
ALTER TABLE appeals ADD COLUMN pending TEXT;
ALTER TABLE appeals ADD COLUMN executor_user_id BIGINT REFERENCES users(id);

UPDATE appeals
SET pending = json_extract(state, '$.pending.action') || '_' || json_extract(state, '$.pending.stage')
WHERE json_type(state, '$.pending') = 'object';

-- The executor of a card routed before this migration: its last `assigned` event.
UPDATE appeals
SET executor_user_id = (
    SELECT CAST(json_extract(e.after, '$.executor_user_id') AS INTEGER)
    FROM appeal_events e
    WHERE e.appeal_id = appeals.id AND e.action = 'assigned'
    ORDER BY e.seq DESC
    LIMIT 1
)
WHERE EXISTS (SELECT 1 FROM appeal_events e WHERE e.appeal_id = appeals.id AND e.action = 'assigned');

CREATE INDEX appeals_open_by_due ON appeals (subject_id, review_due, id) WHERE closed_at IS NULL;
CREATE INDEX appeals_open_by_executor ON appeals (executor_user_id, review_due, id)
    WHERE closed_at IS NULL AND executor_user_id IS NOT NULL;
CREATE INDEX appeals_awaiting_assignment ON appeals (subject_id, review_due, id)
    WHERE status = 'registered';
CREATE INDEX appeals_pending ON appeals (subject_id, pending, review_due, id) WHERE pending IS NOT NULL;
CREATE INDEX appeals_transfers_due ON appeals (subject_id, transfer_due, id)
    WHERE transfer_due IS NOT NULL AND is_accountable = 0 AND status <> 'transferred';
