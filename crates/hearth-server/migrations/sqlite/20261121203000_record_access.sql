-- Record-level access in sync (access::decide): what the rules look at, kept beside each
-- record when it is written, taken from its fields (ids only, never personal data).
--   service_id    a request's service            (field `service_id`)
--   assignee_id   a task's assignee               (field `assignee_id`)
--   work_group_id a task's work group             (field `work_group_id`)
--   submitted     a referral past its draft       (field `status` other than "draft")
--   parent_id     the record whose access a review, contribution or document follows:
--                 the one it belongs to (field `plan_id`, `task_id` or `record_id`), or
--                 that record's own parent when it is itself attached (a document on a
--                 contribution follows the task)
ALTER TABLE sync_records ADD COLUMN service_id TEXT;
ALTER TABLE sync_records ADD COLUMN assignee_id TEXT;
ALTER TABLE sync_records ADD COLUMN work_group_id TEXT;
ALTER TABLE sync_records ADD COLUMN submitted BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sync_records ADD COLUMN parent_id TEXT;
CREATE INDEX sync_records_by_parent ON sync_records (parent_id);
