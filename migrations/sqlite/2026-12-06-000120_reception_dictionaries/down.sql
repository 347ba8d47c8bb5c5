DELETE FROM dictionary_entries WHERE dictionary IN ('social_statuses', 'reception_issue_natures', 'age_bands', 'nationalities', 'citizenships');
