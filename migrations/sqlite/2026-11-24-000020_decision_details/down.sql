ALTER TABLE decision_cards DROP COLUMN details;
