UPDATE counters SET value = GREATEST(value, (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM registration_number_seq))
    WHERE name = 'registration';
DROP SEQUENCE registration_number_seq;
DROP TABLE settings;
