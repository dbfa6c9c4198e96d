-- One copy of a pulled record's fields while it has no local edit. Additive.
--
-- `server_fields` NULL with `server_version` set means: the server's copy is `fields`
-- itself (a record pulled new, with nothing pending). An initial pull then writes each
-- record once instead of twice (a ~1 KB record and its copy no longer fill a 4 KiB page on
-- their own). The first change of `fields` that leaves the server's copy NULL (a local
-- edit, whatever statement makes it) first keeps the old `fields` as the server's copy,
-- here, in the same statement, so the server's copy is never lost.
CREATE TRIGGER records_keep_server_copy AFTER UPDATE OF fields ON records
WHEN OLD.server_fields IS NULL AND NEW.server_fields IS NULL
     AND OLD.server_version IS NOT NULL AND NEW.fields IS NOT OLD.fields
BEGIN
    UPDATE records SET server_fields = OLD.fields WHERE seq = NEW.seq;
END;
