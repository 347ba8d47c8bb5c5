-- Work lists (issue 25): what the screens of registrars, executors and heads ask all day, each
-- served by an index. Two values of the card's JSON become columns kept by the card write path:
-- the approval in progress (`pending`: forwarding_requested, forwarding_approved,
-- extension_requested, extension_approved) and the executor the card was routed to.
ALTER TABLE appeals ADD COLUMN pending TEXT;
ALTER TABLE appeals ADD COLUMN executor_user_id BIGINT REFERENCES users(id);

UPDATE appeals
SET pending = (state::jsonb -> 'pending' ->> 'action') || '_' || (state::jsonb -> 'pending' ->> 'stage')
WHERE jsonb_typeof(state::jsonb -> 'pending') = 'object';

-- The executor of a card routed before this migration: its last `assigned` event.
UPDATE appeals a
SET executor_user_id = (
    SELECT (e.after::jsonb ->> 'executor_user_id')::bigint
    FROM appeal_events e
    WHERE e.appeal_id = a.id AND e.action = 'assigned'
    ORDER BY e.seq DESC
    LIMIT 1
)
WHERE EXISTS (SELECT 1 FROM appeal_events e WHERE e.appeal_id = a.id AND e.action = 'assigned');

-- Open cards by holder and control date: due today, due within N working days, overdue, deemed
-- refusals (the accountable ones past their date with no decision).
CREATE INDEX appeals_open_by_due ON appeals (subject_id, review_due, id) WHERE closed_at IS NULL;
-- An executor's own open cards by control date.
CREATE INDEX appeals_open_by_executor ON appeals (executor_user_id, review_due, id)
    WHERE closed_at IS NULL AND executor_user_id IS NOT NULL;
-- Registered and not yet routed to an executor.
CREATE INDEX appeals_awaiting_assignment ON appeals (subject_id, review_due, id)
    WHERE status = 'registered';
-- An approval in progress (awaiting approval or the signature).
CREATE INDEX appeals_pending ON appeals (subject_id, pending, review_due, id) WHERE pending IS NOT NULL;
-- p.15 documents to transfer.
CREATE INDEX appeals_transfers_due ON appeals (subject_id, transfer_due, id)
    WHERE transfer_due IS NOT NULL AND is_accountable = FALSE AND status <> 'transferred';
