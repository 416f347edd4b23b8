-- Migration: 20261121093726_add_ai_summary_columns
-- Plan: plans/20261121093726_add_ai_summary_columns.yaml
-- lock_timeout: 3s
-- statement_timeout: 3s
-- migrate:up
SET LOCAL lock_timeout = '3s';

SET LOCAL statement_timeout = '3s';

ALTER TABLE public.leads ADD COLUMN ai_summary_text text;

ALTER TABLE public.leads ADD COLUMN ai_summary_model text;

ALTER TABLE public.leads ADD COLUMN ai_summarized_at timestamp with time zone;

COMMENT ON COLUMN public.leads.ai_summary_text IS 'AI-generated summary of the lead, NULL until summarised.';
-- migrate:down
ALTER TABLE public.leads DROP COLUMN ai_summary_text;

ALTER TABLE public.leads DROP COLUMN ai_summary_model;

ALTER TABLE public.leads DROP COLUMN ai_summarized_at;
