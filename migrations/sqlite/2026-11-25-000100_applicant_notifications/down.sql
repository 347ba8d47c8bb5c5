DROP TABLE applicant_notifications;
