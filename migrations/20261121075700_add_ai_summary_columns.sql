-- Migration: 20261121075700_add_ai_summary_columns
-- Plan: plans/20261121075700_add_ai_summary_columns.yaml
-- migrate:up
ALTER TABLE public.leads ADD COLUMN ai_summary_text text;

ALTER TABLE public.leads ADD COLUMN ai_summary_model text;

ALTER TABLE public.leads ADD COLUMN ai_summarized_at timestamp with time zone;

CREATE INDEX leads_unsummarized_idx ON public.leads USING btree (updated_at) WHERE (ai_summarized_at IS NULL);

COMMENT ON COLUMN public.leads.ai_summary_text IS 'AI-generated summary of the lead, NULL until summarised.';
-- migrate:down
DROP INDEX public.leads_unsummarized_idx;

ALTER TABLE public.leads DROP COLUMN ai_summary_text;

ALTER TABLE public.leads DROP COLUMN ai_summary_model;

ALTER TABLE public.leads DROP COLUMN ai_summarized_at;
