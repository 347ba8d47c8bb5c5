DROP INDEX appeals_open_by_due_month;
