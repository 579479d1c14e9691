-- Where notifications reach a person: the `notifications` worker resolves a recipient (a user,
-- or a team's supervisors) to addresses at delivery time, so a changed address counts at once.
-- Optional: for a person without one the message is retried and finally kept in the outbox as
-- `dead` with NO_RECIPIENT_ADDRESS, for people to see. Personal data: never logged.
alter table app_user add column email text check (
  email is null or (length(email) <= 254 and email ~ '^[^[:space:]@<>]+@[^[:space:]@<>]+$')
);
