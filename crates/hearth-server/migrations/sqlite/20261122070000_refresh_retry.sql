-- The token a retired refresh token was swapped for. While that successor has never been
-- used and the swap is recent, presenting the retired token again is a client retrying
-- after a lost response (the server committed, the answer never arrived), not a copy:
-- it is swapped once more instead of signing the device out.
ALTER TABLE retired_refresh_tokens ADD COLUMN successor_hash TEXT;
