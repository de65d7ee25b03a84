-- +goose Up
-- An EMPLOYEE token reads through its person record (the one whose email is
-- the token's subject). Once that person is offboarded the token must read
-- nothing more, even while the identity provider still issues it. Every
-- read of such a caller queues this check in its pipelined batch, after the
-- tenant setting and before its own statements: it costs no round trip, and
-- the error aborts the batch's implicit transaction before anything is read.
-- Not SECURITY DEFINER: row-level security keeps it to the caller's tenant,
-- and the (org_id, email_key) index makes it one index probe.
-- +goose StatementBegin
CREATE FUNCTION itam.require_active_person(p_subject text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp
AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM people WHERE email_key = lower(p_subject) AND status = 'OFFBOARDED') THEN
    RAISE EXCEPTION 'person is offboarded' USING ERRCODE = 'insufficient_privilege';
  END IF;
END
$$;
-- +goose StatementEnd

GRANT EXECUTE ON FUNCTION itam.require_active_person(text) TO itam_app;
