DROP INDEX appeals_transfers_due;
DROP INDEX appeals_pending;
DROP INDEX appeals_awaiting_assignment;
DROP INDEX appeals_open_by_executor;
DROP INDEX appeals_open_by_due;
ALTER TABLE appeals DROP COLUMN executor_user_id;
ALTER TABLE appeals DROP COLUMN pending;
