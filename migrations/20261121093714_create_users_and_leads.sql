-- Migration: 20261121093714_create_users_and_leads
-- Plan: plans/20261121093714_create_users_and_leads.yaml
-- lock_timeout: 3s
-- statement_timeout: 20min
-- migrate:up
SET LOCAL lock_timeout = '3s';

SET LOCAL statement_timeout = '20min';

CREATE TYPE public.lead_status AS ENUM ('new', 'contacted', 'qualified', 'won', 'lost');

CREATE TABLE public.leads (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    owner_id bigint,
    company text NOT NULL,
    contact_email text,
    status public.lead_status DEFAULT 'new'::public.lead_status NOT NULL,
    score integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

CREATE TABLE public.users (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    email text NOT NULL,
    full_name text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE public.leads ADD CONSTRAINT leads_pkey PRIMARY KEY (id);

ALTER TABLE public.leads ADD CONSTRAINT leads_score_check CHECK (((score >= 0) AND (score <= 100)));

ALTER TABLE public.users ADD CONSTRAINT users_email_key UNIQUE (email);

ALTER TABLE public.users ADD CONSTRAINT users_pkey PRIMARY KEY (id);

ALTER TABLE public.leads ADD CONSTRAINT leads_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES public.users(id) ON DELETE SET NULL;

CREATE INDEX leads_open_status_idx ON public.leads USING btree (status, updated_at) WHERE (status <> ALL (ARRAY['won'::public.lead_status, 'lost'::public.lead_status]));

CREATE INDEX leads_owner_id_idx ON public.leads USING btree (owner_id);

COMMENT ON COLUMN public.leads.score IS 'Fit score, 0 to 100.';

COMMENT ON TABLE public.leads IS 'Potential customers.';

COMMENT ON TABLE public.users IS 'People who work leads.';
-- migrate:down
DROP TABLE public.leads;

DROP TABLE public.users;

DROP TYPE public.lead_status;
