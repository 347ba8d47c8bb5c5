DELETE FROM dictionary_entries WHERE dictionary = 'termination_reasons'
    AND code IN ('cassation_requirements_not_met', 'cassation_term_expired');
DELETE FROM dictionary_entries WHERE dictionary = 'receipt_sources' AND code = 'call_centre';
ALTER TABLE subjects DROP COLUMN appeals_unit_id;
ALTER TABLE subjects DROP COLUMN hierarchy_level;
