-- Migration: 20261121093720_add_interactions
-- Plan: plans/20261121093720_add_interactions.yaml
-- lock_timeout: 3s
-- statement_timeout: 20min
-- migrate:up
SET LOCAL lock_timeout = '3s';

SET LOCAL statement_timeout = '20min';

SET check_function_bodies = false;

CREATE TYPE public.interaction_kind AS ENUM ('email', 'call', 'meeting', 'note');

CREATE OR REPLACE FUNCTION public.touch_updated_at()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$function$;

CREATE TABLE public.interactions (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    lead_id bigint NOT NULL,
    user_id bigint,
    kind public.interaction_kind NOT NULL,
    body text DEFAULT ''::text NOT NULL,
    occurred_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE public.interactions ADD CONSTRAINT interactions_pkey PRIMARY KEY (id);

ALTER TABLE public.interactions ADD CONSTRAINT interactions_lead_id_fkey FOREIGN KEY (lead_id) REFERENCES public.leads(id) ON DELETE CASCADE;

ALTER TABLE public.interactions ADD CONSTRAINT interactions_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE SET NULL;

CREATE INDEX interactions_lead_id_occurred_at_idx ON public.interactions USING btree (lead_id, occurred_at DESC);

CREATE TRIGGER leads_touch_updated_at BEFORE UPDATE ON public.leads FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

COMMENT ON TABLE public.interactions IS 'Every touch point with a lead.';
-- migrate:down
SET check_function_bodies = false;

DROP TRIGGER leads_touch_updated_at ON public.leads;

DROP TABLE public.interactions;

DROP FUNCTION public.touch_updated_at();

DROP TYPE public.interaction_kind;
