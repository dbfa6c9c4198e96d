-- A referral draft is not deleted while one of its author's devices may still hold a later
-- save the server has not received (`crate::drafts`). What bounds such a save:
-- - a device in use can be used offline for the policy's offline period after its last
--   online contact, which is when its newest access token was issued
--   (`sessions.access_expires_at` less the token's lifetime): nothing new is needed;
-- - a device that signed itself out cannot be used until it signs in online again: its
--   sign-out time, set by `POST /auth/sign-out` and cleared by the next sign-in;
-- - a device to be wiped (`wipe_requested_at`) holds nothing that will be sent.
ALTER TABLE devices ADD COLUMN signed_out_at BIGINT;

-- The sweep reads the devices of each draft's author.
CREATE INDEX devices_by_user ON devices (user_id);

-- A warning is for one date: the time the 30 days count from (the last save, or later
-- while a device may hold one), no longer only the last save.
ALTER TABLE draft_expiry_notices RENAME COLUMN last_saved TO counted_from;
