-- Desired state of the worked example: a small CRM.
-- Edit this file, then run `schemaplan plan <name>`.

CREATE TYPE lead_status AS ENUM ('new', 'contacted', 'qualified', 'won', 'lost');

CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE,
    full_name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE users IS 'People who work leads.';

CREATE TABLE leads (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id bigint REFERENCES users (id) ON DELETE SET NULL,
    company text NOT NULL,
    contact_email text,
    status lead_status NOT NULL DEFAULT 'new',
    score integer NOT NULL DEFAULT 0 CHECK (score BETWEEN 0 AND 100),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- AI summaries: written by the summariser job, NULL until a lead has been summarised.
    ai_summary_text text,
    ai_summary_model text,
    ai_summarized_at timestamptz
);
COMMENT ON TABLE leads IS 'Potential customers.';
COMMENT ON COLUMN leads.score IS 'Fit score, 0 to 100.';

CREATE INDEX leads_owner_id_idx ON leads (owner_id);
COMMENT ON COLUMN leads.ai_summary_text IS 'AI-generated summary of the lead, NULL until summarised.';
-- The summariser picks leads that have no summary yet.
CREATE INDEX leads_unsummarized_idx ON leads (updated_at) WHERE ai_summarized_at IS NULL;
-- Only open leads are searched by status.
CREATE INDEX leads_open_status_idx ON leads (status, updated_at) WHERE status NOT IN ('won', 'lost');

CREATE TYPE interaction_kind AS ENUM ('email', 'call', 'meeting', 'note');

CREATE TABLE interactions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lead_id bigint NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    user_id bigint REFERENCES users (id) ON DELETE SET NULL,
    kind interaction_kind NOT NULL,
    body text NOT NULL DEFAULT '',
    occurred_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE interactions IS 'Every touch point with a lead.';

CREATE INDEX interactions_lead_id_occurred_at_idx ON interactions (lead_id, occurred_at DESC);

-- Keeps leads.updated_at current.
CREATE FUNCTION touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

CREATE TRIGGER leads_touch_updated_at BEFORE UPDATE ON leads
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
