-- The trace is append-only: refuse UPDATE, DELETE and TRUNCATE at the database itself, so only a
-- privileged actor who disables this trigger can rewrite history (and verification then names the seq).
CREATE OR REPLACE FUNCTION xdv_trace_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'trace is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER trace_append_only BEFORE UPDATE OR DELETE ON "trace"
  FOR EACH ROW EXECUTE FUNCTION xdv_trace_append_only();
--> statement-breakpoint
CREATE TRIGGER trace_no_truncate BEFORE TRUNCATE ON "trace"
  FOR EACH STATEMENT EXECUTE FUNCTION xdv_trace_append_only();
