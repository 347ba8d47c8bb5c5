DROP INDEX appeals_registration_date;
CREATE INDEX appeals_registration_date ON appeals (registration_date);
DROP INDEX appeal_markings_marking;
CREATE INDEX appeal_markings_marking ON appeal_markings (marking);
DROP INDEX appeal_tags_tag;
CREATE INDEX appeal_tags_tag ON appeal_tags (tag);
DROP INDEX appeals_subject_registered;
