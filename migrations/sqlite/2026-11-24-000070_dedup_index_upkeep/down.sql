-- PostgreSQL-only upkeep (autovacuum of the duplicate index, see migrations/postgres); SQLite has
-- no visibility map. Kept so that both backends list the same migrations.
SELECT 1;
