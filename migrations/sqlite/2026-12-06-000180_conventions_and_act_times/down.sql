DROP TABLE conventions;
DROP INDEX appeals_entered_late;
ALTER TABLE appeals DROP COLUMN entered_late;
