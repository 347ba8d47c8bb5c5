-- Facts kept beside an ОЛ-2 card (JSON): the answer text of a decision, the reason of a transfer
-- cancellation, the due date an action was measured against and whether it was late (R16, R18).
ALTER TABLE decision_cards ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
