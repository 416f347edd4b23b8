-- Migration: 20261121093727_add_ai_summary_columns
-- Plan: plans/20261121093726_add_ai_summary_columns.yaml
-- lock_timeout: 3s
-- statement_timeout: 20min
-- migrate:up transaction:false
SET lock_timeout = '3s';

SET statement_timeout = '20min';

CREATE INDEX CONCURRENTLY leads_unsummarized_idx ON public.leads USING btree (updated_at) WHERE (ai_summarized_at IS NULL);
-- migrate:down
DROP INDEX public.leads_unsummarized_idx;
