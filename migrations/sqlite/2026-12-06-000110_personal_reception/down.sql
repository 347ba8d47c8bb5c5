DROP TABLE reception_bookings;
DROP TABLE reception_schedules;
DROP TABLE reception_events;
DROP TABLE receptions;
